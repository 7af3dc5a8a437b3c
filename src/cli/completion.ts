/**
 * `rollout-gate completion bash|zsh`: a completion script, used as kubectl's is:
 *   source <(rollout-gate completion bash)        # or add it to ~/.bashrc
 *   source <(rollout-gate completion zsh)         # zsh, through bashcompinit
 * Built from the parser's own tables (COMMANDS, RUN_FLAGS, SERVE_FLAGS), so a new flag completes
 * without touching this file.
 */
import { COMMANDS, PLAN_FLAGS, RUN_FLAGS, SERVE_FLAGS, type FlagSpec } from './args.js';

/** Flags whose value is a file (complete paths) and flags with a fixed set of values. */
const FILE_FLAGS = [
  '-f',
  '--manifests',
  '--scenario',
  '--kubeconfig',
  '--kubeconfig-out',
  '--health-checks',
  '--baseline',
];
const VALUES: Record<string, string> = {
  '--rollback': 'on-failure never',
  '-o': 'text json',
  '--output': 'text json',
  '--on-no-good-revision': 'leave scale-to-zero delete',
  '--rollback-on-cancel': 'true false',
  '--check-images': 'true false',
};

const words = (specs: FlagSpec[]) => specs.map((s) => `--${s.name}`).join(' ');

export function bashCompletion(): string {
  return `# bash completion for rollout-gate (source <(rollout-gate completion bash))
_rollout_gate() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" flags
  if [[ \${COMP_CWORD} -eq 1 ]]; then
    COMPREPLY=( $(compgen -W "${COMMANDS.join(' ')} --help --version" -- "$cur") )
    return
  fi
  case "\${COMP_WORDS[1]}" in
    run) flags="${words(RUN_FLAGS)}" ;;
    plan) flags="${words(PLAN_FLAGS)}" ;;
    serve) flags="${words(SERVE_FLAGS)}" ;;
    completion) COMPREPLY=( $(compgen -W "bash zsh" -- "$cur") ); return ;;
    help) COMPREPLY=( $(compgen -W "run plan serve" -- "$cur") ); return ;;
    *) return ;;
  esac
  case "$prev" in
    ${FILE_FLAGS.join('|')}) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;
${Object.entries(VALUES)
  .map(([flag, values]) => `    ${flag}) COMPREPLY=( $(compgen -W "${values}" -- "$cur") ); return ;;`)
  .join('\n')}
  esac
  COMPREPLY=( $(compgen -W "$flags" -- "$cur") )
}
complete -o default -F _rollout_gate rollout-gate
`;
}

/** zsh runs the bash function through bashcompinit (zsh's own emulation of bash's complete). */
export function zshCompletion(): string {
  return `#compdef rollout-gate
# zsh completion for rollout-gate (source <(rollout-gate completion zsh))
autoload -U +X bashcompinit && bashcompinit
${bashCompletion()}`;
}
