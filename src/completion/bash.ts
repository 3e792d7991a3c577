/**
 * The bash completion script: whk's commands, flags, scheme names and events written into a few
 * `case` functions (no whk process runs on TAB), and one function that reads the line. Works with
 * bash 3.2 (macOS) and later, with or without the bash-completion package.
 */
import { allCommands, isWord, type CommandModel, type CompletionModel, type Value } from './model.js';

/** `text` in single quotes, for a shell. */
export const sq = (text: string) => `'${text.replace(/'/g, "'\\''")}'`;

/** A value as the script's `_whk_value` says it: file, scheme, "scheme auto", event, "choice a b", text. */
function valueWord(v: Value): string {
  switch (v.kind) {
    case 'scheme':
      return v.auto ? 'scheme auto' : 'scheme';
    case 'choice':
      return ['choice', ...v.choices.filter(isWord)].join(' ');
    default:
      return v.kind;
  }
}

/** A function that sets REPLY by a `case` over `subject`: each arm's patterns, then its value. */
function caseFunction(name: string, doc: string, subject: string, arms: Array<[string[], string]>): string {
  return [
    `# ${doc}`,
    `${name}() {`,
    `  case ${subject} in`,
    ...arms.filter(([patterns]) => patterns.length > 0).map(([patterns, value]) => `    ${patterns.map(sq).join('|')}) REPLY=${sq(value)} ;;`),
    "    *) REPLY='' ;;",
    '  esac',
    '}',
  ].join('\n');
}

/** Groups `[key, value]` pairs by value: one `case` arm per value, in first-seen order. */
function byValue(pairs: Array<[string, string]>): Array<[string[], string]> {
  const arms = new Map<string, string[]>();
  for (const [key, value] of pairs) arms.set(value, [...(arms.get(value) ?? []), key]);
  return [...arms].map(([value, keys]) => [keys, value]);
}

/** The data functions: commands, flags, flag values, arguments, schemes and their events. */
function dataFunctions(model: CompletionModel): string[] {
  const commands = allCommands(model.program);
  const key = (c: CommandModel) => c.path.join(' ');
  const values: Array<[string, string]> = commands.flatMap((c) =>
    c.flags.flatMap((f) => (f.value ? f.names.map((n): [string, string] => [`${key(c)} ${n}`, valueWord(f.value!)]) : [])));
  const argumentOf = (c: CommandModel): Array<[string, string]> => (c.argument && c.argument.value.kind !== 'text' ? [[key(c), valueWord(c.argument.value)]] : []);
  const schemes = model.schemes.filter((s) => isWord(s.name));
  return [
    caseFunction('_whk_commands', 'REPLY: the commands under the command $1 ("whk", "whk schemes", ...).', '$1',
      commands.filter((c) => c.commands.length > 0).map((c) => [[key(c)], c.commands.map((s) => s.path.at(-1)!).join(' ')])),
    caseFunction('_whk_flags', 'REPLY: the flags of the command $1.', '$1', commands.map((c) => [[key(c)], c.flags.flatMap((f) => f.names).join(' ')])),
    caseFunction('_whk_value', 'REPLY: what the flag $2 of the command $1 takes (file, scheme, event, "choice ...", text); empty for none.', '"$1 $2"', byValue(values)),
    caseFunction('_whk_argument', "REPLY: what the argument of the command $1 takes, where there is something to offer.", '$1', byValue(commands.flatMap(argumentOf))),
    ['# REPLY: the scheme names.', `_whk_scheme_names() { REPLY=${sq(schemes.map((s) => s.name).join(' '))}; }`].join('\n'),
    caseFunction('_whk_events', 'REPLY: the sample events of the scheme $1 (whk send --list-events).', '$1',
      schemes.map((s) => [[s.name, ...s.aliases].filter(isWord), s.events.filter(isWord).join(' ')])),
  ];
}

/** The function that reads the line and completes it (static: only the data above changes). */
const RUNTIME = `
# words, cword: COMP_WORDS and COMP_CWORD with what bash split at ':' and '=' (COMP_WORDBREAKS)
# joined back: "--event repo:push" arrives as "repo" ":" "push", "--scheme=x" as "--scheme" "=" "x".
_whk_words() {
  local i w glue=0
  for ((i = 0; i < \${#COMP_WORDS[@]}; i++)); do
    w=\${COMP_WORDS[i]}
    if ((i > 0)) && [[ -n $w && -z \${w//[:=]/} ]]; then
      words[\${#words[@]}-1]+=$w
      glue=1
    elif ((glue)); then
      words[\${#words[@]}-1]+=$w
      glue=0
    else
      words+=("$w")
    fi
    ((i == COMP_CWORD)) && cword=$((\${#words[@]} - 1))
  done
  if ((COMP_CWORD >= \${#COMP_WORDS[@]})); then
    words+=('')
    cword=$((\${#words[@]} - 1))
  fi
}

# Adds to COMPREPLY the words of $1 that start with $cur as typed (quotes and backslashes left
# out), each after $prefix and quoted for the command line where it needs it ($incident.confirmed).
_whk_offer() {
  local w typed=\${cur//\\\\/}
  local -a list
  typed=\${typed#[\\"\\']}
  IFS=' ' read -ra list <<<"$1"
  for w in "\${list[@]}"; do
    [[ $w == "$typed"* ]] || continue
    [[ $w == *[!A-Za-z0-9._/:@%+,=-]* ]] && printf -v w %q "$w"
    COMPREPLY+=("$prefix$w")
  done
}

# Adds to COMPREPLY what a flag's value or an argument of the kind $1 may be.
_whk_offer_value() {
  local f
  case $1 in
    file)
      compopt -o filenames 2>/dev/null
      while IFS= read -r f; do COMPREPLY+=("$prefix$f"); done < <(compgen -f -- "\${cur//\\\\/}") ;;
    scheme) _whk_scheme_names; _whk_offer "$REPLY" ;;
    'scheme auto') _whk_scheme_names; _whk_offer "auto $REPLY" ;;
    event) _whk_events "$scheme"; _whk_offer "$REPLY" ;;
    choice\\ *) _whk_offer "\${1#choice }" ;;
  esac
}

_whk_complete() {
  local -a words=()
  local cword=0 i w path=whk scheme='' value='' prefix='' cur raw
  _whk_words
  cur=\${words[cword]}
  # The command typed so far (whk, whk schemes, whk schemes show), the --scheme given, and
  # whether the word being completed is the value of the flag before it.
  for ((i = 1; i < cword; i++)); do
    w=\${words[i]}
    case $w in
      --scheme=*) scheme=\${w#*=} ;;
      -*=*) ;;
      -*)
        _whk_value "$path" "$w"
        if [[ -n $REPLY ]]; then
          ((i + 1 == cword)) && value=$REPLY
          i=$((i + 1))
          [[ $w == --scheme ]] && scheme=\${words[i]}
        fi ;;
      *)
        _whk_commands "$path"
        [[ " $REPLY " == *" $w "* ]] && path+=" $w" ;;
    esac
  done
  if [[ -z $value && $cur == -*=* ]]; then
    _whk_value "$path" "\${cur%%=*}"
    value=$REPLY prefix=\${cur%%=*}= cur=\${cur#*=}
  fi
  COMPREPLY=()
  if [[ -n $value ]]; then
    _whk_offer_value "$value"
  elif [[ $cur == -* ]]; then
    _whk_flags "$path"
    _whk_offer "$REPLY"
  else
    _whk_commands "$path"
    _whk_offer "$REPLY"
    _whk_argument "$path"
    [[ -n $REPLY ]] && _whk_offer_value "$REPLY"
  fi
  # Bash replaces only what follows the last ':' or '=' of a word it split there: the replies say
  # the rest ("--event charge:" arrives as "charge" ":", and the ':' itself stays).
  raw=\${COMP_WORDS[COMP_CWORD]-}
  [[ -z \${raw//[:=]/} ]] && raw=''
  if [[ \${words[cword]} != "$raw" && \${words[cword]} == *"$raw" ]]; then
    local cut=$((\${#words[cword]} - \${#raw}))
    for i in "\${!COMPREPLY[@]}"; do COMPREPLY[i]=\${COMPREPLY[i]:cut}; done
  fi
  return 0
}

complete -F _whk_complete whk
`;

/** The bash script for `model`. */
export function bashScript(model: CompletionModel): string {
  return [
    `# bash completion for whk, generated by \`whk completion bash\` (${model.generator}) from its commands and schemes:`,
    '# generate it again after upgrading whk or adding schemes. Install: source <(whk completion bash) in ~/.bashrc,',
    '# or whk completion bash > ~/.local/share/bash-completion/completions/whk',
    '',
    dataFunctions(model).join('\n\n'),
    RUNTIME,
  ].join('\n');
}
