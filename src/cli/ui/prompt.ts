/**
 * One line read from the terminal, as oc's term.PromptForString and PromptForPasswordString
 * ask for a user name and a password: the terminal is put in raw mode so that a password is not
 * echoed; Ctrl-C and Ctrl-D end the prompt with an error.
 */
import type { TextSink } from '../io.js'

/** TerminalInput is the part of process.stdin a prompt uses. */
export interface TerminalInput {
  setRawMode(raw: boolean): unknown
  on(event: 'data', listener: (chunk: Buffer) => void): unknown
  off(event: 'data', listener: (chunk: Buffer) => void): unknown
  resume(): unknown
  pause(): unknown
}

/** PromptAbortedError: the user ended the prompt (Ctrl-C, Ctrl-D). */
export class PromptAbortedError extends Error {
  override readonly name = 'PromptAbortedError'
  readonly code = 'PromptAborted'
}

/** promptLine writes `question` and resolves to the line typed, echoed only when `echo`. */
export function promptLine(
  input: TerminalInput,
  output: TextSink,
  question: string,
  echo: boolean,
): Promise<string> {
  output.write(question)
  input.setRawMode(true)
  input.resume()
  return new Promise((resolve, reject) => {
    let line = ''
    const finish = (err?: Error) => {
      input.off('data', onData)
      input.setRawMode(false)
      input.pause()
      output.write('\n')
      if (err) reject(err)
      else resolve(line)
    }
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish()
        if (ch === '\u0003' || ch === '\u0004') return finish(new PromptAbortedError('aborted'))
        if (ch === '\u007f' || ch === '\b') {
          if (line.length > 0) {
            line = [...line].slice(0, -1).join('')
            if (echo) output.write('\b \b')
          }
          continue
        }
        line += ch
        if (echo) output.write(ch)
      }
    }
    input.on('data', onData)
  })
}
