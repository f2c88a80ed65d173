/**
 * Shell completion scripts made from the program's own command tree, so they list exactly the
 * commands, subcommands and options this version has: bash (`complete -F`) and zsh (the same
 * function through zsh's bashcompinit).
 */
import type { Command } from 'commander';

/** Completion words by command path: '' for the top level, 'tables' for a group, 'tables read' for a leaf. */
export function completionTable(program: Command): Map<string, { subcommands: string[]; options: string[] }> {
  const table = new Map<string, { subcommands: string[]; options: string[] }>();
  const walk = (command: Command, path: string) => {
    const options = command.options.flatMap((o) => [o.short, o.long]).filter((f): f is string => f !== undefined);
    table.set(path, { subcommands: command.commands.map((c) => c.name()), options: [...options, '--help'] });
    for (const sub of command.commands) walk(sub, path === '' ? sub.name() : `${path} ${sub.name()}`);
  };
  walk(program, '');
  return table;
}

const quote = (words: string[]) => `'${words.join(' ')}'`;

/** The bash completion script (zsh: with `autoload -U +X bashcompinit && bashcompinit` first). */
export function bashCompletion(program: Command): string {
  const name = program.name();
  const fn = `_${name.replace(/[^A-Za-z0-9]/g, '_')}_complete`;
  const cases = [...completionTable(program)].map(([path, { subcommands, options }]) =>
    `    ${JSON.stringify(path)}) subs=${quote(subcommands)}; opts=${quote(options)} ;;`);
  return `# ${name} completion for bash (and zsh through bashcompinit). Made by \`${name} completion\`.
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" word subs opts i
  # The command path: the words before the cursor that name a command or subcommand.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ "$word" == -* ]] && continue
    ${fn}_words "$path"
    [[ " $subs " == *" $word "* ]] && path="\${path:+$path }$word"
  done
  ${fn}_words "$path"
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [[ -n "$subs" ]]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
${fn}_words() {
  case "$1" in
${cases.join('\n')}
    *) subs=''; opts='' ;;
  esac
}
complete -F ${fn} ${name}
`;
}

/** The zsh completion script: the bash one through zsh's bashcompinit. */
export function zshCompletion(program: Command): string {
  return `autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n${bashCompletion(program)}`;
}
