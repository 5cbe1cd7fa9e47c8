/**
 * Which verb a command line runs, found before commander parses it, so that the entry point
 * loads that verb's module only. Global flags may come before the verb, as oc allows.
 */

import { GLOBAL_VALUE_FLAGS } from './global-flag-specs.js'

/**
 * leadingWords returns the words `args` (argv without node and the script) starts with: global
 * flags and their values before them are skipped, and the first flag after them ends them.
 */
export function leadingWords(args: readonly string[]): string[] {
  const words: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '--') break
    if (arg.startsWith('-')) {
      if (words.length > 0) break
      if (GLOBAL_VALUE_FLAGS.includes(arg)) i++
      continue
    }
    words.push(arg)
  }
  return words
}

/**
 * selectVerb returns the longest verb path among `paths` that the operands of `args` (argv
 * without node and the script) start with; `help VERB...` selects VERB. Undefined when no verb
 * matches, and commander then reports the unknown command itself.
 */
export function selectVerb(
  args: readonly string[],
  paths: readonly (readonly string[])[],
): readonly string[] | undefined {
  const words = leadingWords(args)
  const wanted = words[0] === 'help' ? words.slice(1) : words
  let best: readonly string[] | undefined
  for (const p of paths) {
    if (startsWith(wanted, p) && (best === undefined || p.length > best.length)) best = p
  }
  return best
}

function startsWith(list: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= list.length && prefix.every((w, i) => list[i] === w)
}
