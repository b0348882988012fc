/** The shell side of completion: each asks `lxcdeck __complete` (src/cli/completion.ts). */

const BASH = `# lxcdeck completion for bash: eval "$(lxcdeck completion bash)"
_lxcdeck() {
  local IFS=$'\\n' cur=\${COMP_WORDS[COMP_CWORD]}
  COMPREPLY=($(compgen -W "$(command lxcdeck __complete "$COMP_CWORD" -- "\${COMP_WORDS[@]}" 2>/dev/null)" -- "$cur"))
}
complete -o default -F _lxcdeck lxcdeck
`;

const ZSH = `#compdef lxcdeck
# lxcdeck completion for zsh: eval "$(lxcdeck completion zsh)" (after compinit)
_lxcdeck() {
  local -a found
  found=("\${(@f)$(command lxcdeck __complete $((CURRENT - 1)) -- "\${words[@]}" 2>/dev/null)}")
  compadd -a found
}
compdef _lxcdeck lxcdeck
`;

export function completionScript(shell: 'bash' | 'zsh'): string {
  return shell === 'bash' ? BASH : ZSH;
}
