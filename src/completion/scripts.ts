// The scripts `scalelite-admin completion bash|zsh` prints. Both only pass the words of the line to
// the hidden `__complete` command and show what it prints, one candidate a line; where it offers
// nothing, the shell completes file names (for `servers sync <file>`, `--redis-ca`, …).

const BASH = `# bash completion for scalelite-admin. Load it from ~/.bashrc with:
#   source <(scalelite-admin completion bash)
_scalelite_admin() {
  local line
  COMPREPLY=()
  while IFS= read -r line; do
    COMPREPLY+=("$line")
  done < <("\${COMP_WORDS[0]}" __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
}
complete -o default -F _scalelite_admin scalelite-admin
`

const ZSH = `#compdef scalelite-admin
# zsh completion for scalelite-admin. Load it from ~/.zshrc (after compinit) with:
#   source <(scalelite-admin completion zsh)
# or save it as _scalelite-admin in a folder of your fpath.
_scalelite_admin() {
  local -a candidates
  candidates=("\${(@f)$("\${words[1]}" __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  candidates=("\${(@)candidates:#}")
  compset -P '*='
  if (( \${#candidates} )); then
    compadd -- "\${(@)candidates}"
  else
    _files
  fi
}
if [[ \${funcstack[1]} == _scalelite-admin ]]; then
  _scalelite_admin "$@"
else
  (( \${+functions[compdef]} )) || { autoload -Uz compinit && compinit; }
  compdef _scalelite_admin scalelite-admin
fi
`

export const COMPLETION_SCRIPTS = { bash: BASH, zsh: ZSH } as const
