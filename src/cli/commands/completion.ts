/**
 * `isctl completion bash|zsh|fish`: the shell script that completes isctl command lines. Each
 * script asks `isctl __complete WORD... CURRENT` for the candidates (verbs, flags, resource
 * types, and names of streams, tags and other objects from the API), so the script stays small
 * and the candidates follow the installed version.
 */
import type { Command } from 'commander'
import { CliError, UsageError } from '../errors.js'
import { localAction, type ConfigureVerb } from '../verb.js'

/**
 * BASH joins the words bash split at `:` (COMP_WORDBREAKS) back together, so `app:v<TAB>`
 * completes tags, and trims what is before the last `:` from the candidates, as bash-completion's
 * __ltrim_colon_completions does.
 */
const BASH = `# bash completion for isctl
# Load it in the current shell with: source <(isctl completion bash)
_isctl_completions() {
  local words=() i w
  for ((i = 1; i <= COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if [[ \${#words[@]} -gt 0 && ( "$w" == ":" || "\${words[\${#words[@]}-1]}" == *: ) ]]; then
      words[\${#words[@]}-1]+="$w"
    else
      words+=("$w")
    fi
  done
  local cur="\${words[\${#words[@]}-1]}"
  local IFS=$'\\n'
  local candidates
  candidates=$("\${COMP_WORDS[0]}" __complete -- "\${words[@]}" 2>/dev/null) || return 0
  COMPREPLY=($(compgen -W "$candidates" -- "$cur"))
  if [[ "$cur" == *:* ]]; then
    local prefix="\${cur%"\${cur##*:}"}"
    for i in "\${!COMPREPLY[@]}"; do
      COMPREPLY[i]="\${COMPREPLY[i]#"$prefix"}"
    done
  fi
}
complete -o default -F _isctl_completions isctl
`

const ZSH = `#compdef isctl
# zsh completion for isctl, through zsh's bash completion emulation
# Load it in the current shell with: source <(isctl completion zsh)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${BASH}`

const FISH = `# fish completion for isctl
# Load it in the current shell with: isctl completion fish | source
function __isctl_complete
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l current (commandline -ct)
    isctl __complete -- $tokens "$current" 2>/dev/null
end
complete -c isctl -f -a '(__isctl_complete)'
`

const SCRIPTS: Readonly<Record<string, string>> = { bash: BASH, zsh: ZSH, fish: FISH }

/** completionScript is the script for `shell`, with kubectl's messages for a wrong one. */
export function completionScript(operands: readonly string[]): string {
  if (operands.length === 0) throw new UsageError('Shell not specified.')
  if (operands.length > 1) throw new UsageError('Too many arguments. Expected only the shell type.')
  const script = SCRIPTS[operands[0]!]
  if (script === undefined) throw new CliError(`Unsupported shell type "${operands[0]}".`)
  return script
}

/** configureCompletion declares `completion`. */
export const configureCompletion: ConfigureVerb = (cmd: Command, ctx) => {
  cmd
    .description(
      'Output shell completion code for the specified shell (bash, zsh, fish).\n\nThe shell code must be evaluated to provide interactive completion of isctl commands: verbs, flags, resource types, and the names of image streams, tags and other objects on the server.',
    )
    .usage('SHELL [options]')
    .argument('[shell...]')
    .addHelpText(
      'after',
      "\nExamples:\n  # Load completion into the current bash shell\n  source <(isctl completion bash)\n\n  # Load it in every new bash shell\n  echo 'source <(isctl completion bash)' >> ~/.bashrc\n\n  # fish\n  isctl completion fish | source\n",
    )
  localAction(cmd, ctx, (operands, _flags, io) => {
    io.stdout.write(completionScript(operands))
    return Promise.resolve(0)
  })
}
