/**
 * The fish completion script: one `complete` line per command, flag and argument, each under the
 * condition that the command typed so far is its command, and the scheme names and events written
 * in (no whk process runs on TAB).
 */
import { allCommands, isWord, type CommandModel, type CompletionModel, type FlagModel, type Value } from './model.js';

/** `text` in fish's single quotes. */
const fq = (text: string) => `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;

/** What `complete` is given to complete a value of the kind `v`. */
function valueArgs(v: Value): string {
  switch (v.kind) {
    case 'file':
      return '-F';
    case 'scheme':
      return `-f -a ${fq(v.auto ? '(__whk_scheme_names auto)' : '(__whk_scheme_names)')}`;
    case 'event':
      return `-f -a ${fq('(__whk_events)')}`;
    case 'choice':
      return `-f -a ${fq(v.choices.filter(isWord).join(' '))}`;
    case 'text':
      return '-f';
  }
}

/** The `complete` line of one flag of the command at `path`. */
function flagLine(path: string, f: FlagModel): string {
  const names = f.names.map((n) => (n.startsWith('--') ? `-l ${n.slice(2)}` : n.length === 2 ? `-s ${n.slice(1)}` : `-o ${n.slice(1)}`));
  return ['complete -c whk', `-n ${fq(`__whk_at ${fq(path)}`)}`, ...names, ...(f.value ? ['-r', valueArgs(f.value)] : []), `-d ${fq(f.help)}`].join(' ');
}

/** The `complete` lines of the command `c`: its subcommands, its flags, its argument. */
function commandLines(c: CommandModel): string[] {
  const path = c.path.join(' ');
  const at = `-n ${fq(`__whk_at ${fq(path)}`)}`;
  const arg = c.argument && c.argument.value.kind !== 'text' ? [`complete -c whk ${at} ${valueArgs(c.argument.value)}`] : [];
  return [
    ...c.commands.map((s) => `complete -c whk ${at} -f -a ${fq(s.path.at(-1)!)} -d ${fq(s.help)}`),
    ...c.flags.map((f) => flagLine(path, f)),
    ...arg,
  ];
}

/** The functions that know the commands and the flags that take a value, by command. */
function commandFunctions(model: CompletionModel): string[] {
  const commands = allCommands(model.program);
  const valued = commands.filter((c) => c.flags.some((f) => f.value));
  return [
    '# The commands under the command $argv[1] ("whk", "whk schemes", ...), one a line.',
    'function __whk_commands',
    '    switch $argv[1]',
    ...commands.filter((c) => c.commands.length > 0).flatMap((c) => [
      `        case ${fq(c.path.join(' '))}`,
      `            printf '%s\\n' ${c.commands.map((s) => fq(s.path.at(-1)!)).join(' ')}`,
    ]),
    '    end',
    'end',
    '',
    '# Whether the flag $argv[2] of the command $argv[1] takes a value.',
    'function __whk_takes_value',
    '    switch "$argv[1] $argv[2]"',
    ...valued.map((c) => `        case ${c.flags.filter((f) => f.value).flatMap((f) => f.names).map((n) => fq(`${c.path.join(' ')} ${n}`)).join(' ')}\n            return 0`),
    '    end',
    '    return 1',
    'end',
  ];
}

/** The scheme names and each scheme's events. */
function schemeFunctions(model: CompletionModel): string[] {
  const schemes = model.schemes.filter((s) => isWord(s.name));
  return [
    '# The scheme names (and auto, with $argv[1] = auto), one a line.',
    'function __whk_scheme_names',
    '    test "$argv[1]" = auto; and echo auto',
    `    printf '%s\\n' ${schemes.map((s) => fq(s.name)).join(' ')}`,
    'end',
    '',
    '# The sample events of the scheme given with --scheme (whk send --list-events), one a line.',
    'function __whk_events',
    '    set -l tokens (commandline -opc)',
    '    set -l scheme',
    '    for i in (seq (count $tokens))',
    '        switch $tokens[$i]',
    '            case --scheme',
    '                set scheme $tokens[(math $i + 1)]',
    "            case '--scheme=*'",
    '                set scheme (string replace -- --scheme= \'\' $tokens[$i])',
    '        end',
    '    end',
    '    switch (string lower -- "$scheme")',
    ...schemes.flatMap((s) => [
      `        case ${[s.name, ...s.aliases].filter(isWord).map(fq).join(' ')}`,
      `            printf '%s\\n' ${s.events.filter(isWord).map(fq).join(' ')}`,
    ]),
    '    end',
    'end',
  ];
}

/** The command typed so far: subcommand names, skipping flags and their values. */
const RUNTIME = `
# The command typed so far: "whk", "whk schemes", "whk schemes show".
function __whk_command
    set -l path whk
    set -l skip 0
    for t in (commandline -opc)[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        switch $t
            case '-*=*'
            case '-*'
                __whk_takes_value "$path" $t; and set skip 1
            case '*'
                contains -- $t (__whk_commands "$path"); and set path "$path $t"
        end
    end
    echo $path
end

# Whether the command typed so far is $argv[1] (computed once per command line).
function __whk_at
    set -l line (commandline -pc)
    if test "$line" != "$__whk_line"
        set -g __whk_line $line
        set -g __whk_path (__whk_command)
    end
    test "$__whk_path" = "$argv[1]"
end
`;

/** The fish script for `model`. */
export function fishScript(model: CompletionModel): string {
  return [
    `# fish completion for whk, generated by \`whk completion fish\` (${model.generator}) from its commands and schemes:`,
    '# generate it again after upgrading whk or adding schemes. Install: whk completion fish > ~/.config/fish/completions/whk.fish',
    '',
    ...commandFunctions(model),
    '',
    ...schemeFunctions(model),
    RUNTIME,
    'complete -c whk -f',
    ...allCommands(model.program).flatMap(commandLines),
    '',
  ].join('\n');
}
