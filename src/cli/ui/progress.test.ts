import assert from 'node:assert/strict'
import { describe, it, mock } from 'node:test'
import type { CommandIO } from '../io.js'
import { isInteractive, startProgress } from './progress.js'

function sink(isTTY: boolean) {
  const writes: string[] = []
  return { isTTY, writes, write: (chunk: string) => writes.push(chunk) }
}

function io(stdoutTTY: boolean, stderrTTY: boolean, term = 'xterm'): CommandIO {
  return {
    stdout: sink(stdoutTTY),
    stderr: sink(stderrTTY),
    env: { TERM: term },
    now: () => new Date(0),
  }
}

void describe('isInteractive', () => {
  void it('needs both streams on a terminal that is not dumb', () => {
    assert.equal(isInteractive(io(true, true)), true)
    assert.equal(isInteractive(io(false, true)), false)
    assert.equal(isInteractive(io(true, false)), false)
    assert.equal(isInteractive(io(true, true, 'dumb')), false)
  })
})

void describe('startProgress', () => {
  void it('writes nothing when no one is watching', () => {
    const s = sink(false)
    startProgress(s, 'Importing', { interactive: false }).done()
    assert.deepEqual(s.writes, [])
  })

  void it('redraws one line with the seconds elapsed, and clears it when done', () => {
    mock.timers.enable({ apis: ['setInterval'] })
    try {
      const s = sink(true)
      let now = 0
      const p = startProgress(s, 'Importing', { interactive: true, clock: () => now })
      now = 2500
      mock.timers.tick(1000)
      p.done()
      p.done()
      mock.timers.tick(5000)
      assert.deepEqual(s.writes, [
        '\r\x1b[2KImporting (0s)',
        '\r\x1b[2KImporting (2s)',
        '\r\x1b[2K',
      ])
    } finally {
      mock.timers.reset()
    }
  })
})

void describe('Progress.update and clear', () => {
  void it('redraws a new message at most every 100 ms, and blanks the line for a result', () => {
    mock.timers.enable({ apis: ['setInterval'] })
    try {
      const s = sink(true)
      let now = 0
      const p = startProgress(s, 'Listing', { interactive: true, clock: () => now })
      now = 50
      p.update('images 1/3')
      now = 150
      p.update('images 2/3')
      p.clear()
      now = 1000
      mock.timers.tick(1000)
      p.done()
      p.update('images 3/3')
      p.clear()
      assert.deepEqual(s.writes, [
        '\r\x1b[2KListing (0s)',
        '\r\x1b[2Kimages 2/3 (0s)',
        '\r\x1b[2K',
        '\r\x1b[2Kimages 2/3 (1s)',
        '\r\x1b[2K',
      ])
    } finally {
      mock.timers.reset()
    }
  })

  void it('does nothing when no one is watching', () => {
    const s = sink(false)
    const p = startProgress(s, 'Listing', { interactive: false })
    p.update('x')
    p.clear()
    p.done()
    assert.deepEqual(s.writes, [])
  })
})
