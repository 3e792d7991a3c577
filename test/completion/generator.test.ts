/**
 * The completion generators read the commander program, not a list of their own: a flag added to
 * a command is in every script with no change to src/completion/. Checked over a small program
 * (each kind of value) and over whk's own (every flag of every command of the Spec table).
 */
import { Argument, Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { program } from '../../src/cli.js';
import { bashScript } from '../../src/completion/bash.js';
import { fishScript } from '../../src/completion/fish.js';
import { describeCommand, type CompletionModel } from '../../src/completion/model.js';
import { zshScript } from '../../src/completion/zsh.js';
import { pickShell } from '../../src/commands/completion.js';

/** A program like whk's: a command with a subcommand, and flags of every kind. */
function small(extra?: Option): Command {
  const p = new Command('whk').option('--debug', 'print stack traces');
  const send = p.command('send').description('send a test event').argument('[url]', 'the receiver URL');
  send.addOption(new Option('--scheme <name>', 'signature scheme'));
  send.addOption(new Option('--event <type>', 'which sample event'));
  send.addOption(new Option('--tamper <what>', 'corrupt something').choices(['body', 'signature']));
  send.addOption(new Option('--secret-file <path>', 'secrets, one per line'));
  send.addOption(new Option('--hidden-thing', 'not shown').hideHelp());
  if (extra) send.addOption(extra);
  p.command('verify').addOption(new Option('--scheme <name>', 'scheme or auto').default('auto'));
  p.command('schemes').command('show').argument('<name>', 'the scheme');
  p.command('paint').addArgument(new Argument('<colour>', 'a colour').choices(['red', 'blue']));
  return p;
}

const model = (p: Command): CompletionModel => ({
  program: describeCommand(p),
  schemes: [{ name: 'stripe', aliases: [], events: ['payment_intent.succeeded'] }, { name: 'bitbucket', aliases: ['bb'], events: ['repo:push'] }],
  generator: 'whk test',
});

const scripts = (p: Command) => ({ bash: bashScript(model(p)), zsh: zshScript(model(p)), fish: fishScript(model(p)) });

describe('completion scripts are generated from the commander program', () => {
  it('a flag added to a command appears in every script, with what its value is', () => {
    const before = scripts(small());
    const after = scripts(small(new Option('--receipt-file <path>', 'where to write the receipt')));
    for (const shell of ['bash', 'zsh', 'fish'] as const) expect(before[shell]).not.toContain('receipt-file');
    expect(after.bash).toMatch(/'whk send'\) REPLY='[^']*--receipt-file/);
    expect(after.bash).toMatch(/'whk send --receipt-file'[^)]*\) REPLY='file'|\|'whk send --receipt-file'/);
    expect(after.zsh).toContain("'--receipt-file=[where to write the receipt]:path:_files'");
    expect(after.fish).toContain("-l receipt-file -r -F -d 'where to write the receipt'");
  });

  it('each kind of value: files, scheme names (auto where it is the default), events, choices (of flags and arguments); hidden flags left out', () => {
    const { bash, zsh, fish } = scripts(small());
    expect(bash).toContain("'whk send --secret-file') REPLY='file'");
    expect(bash).toContain("'whk send --scheme') REPLY='scheme'");
    expect(bash).toContain("'whk verify --scheme') REPLY='scheme auto'");
    expect(bash).toContain("'whk send --event') REPLY='event'");
    expect(bash).toContain("'whk send --tamper') REPLY='choice body signature'");
    expect(bash).toContain("'whk schemes show') REPLY='scheme'");
    expect(bash).toContain("'whk paint') REPLY='choice red blue'");
    expect(bash).toContain("'bitbucket'|'bb') REPLY='repo:push'");
    expect(zsh).toContain("'--tamper=[corrupt something]:what:(body signature)'");
    expect(zsh).toContain("'--scheme=[scheme or auto]:name:_whk_scheme_names_or_auto'");
    expect(fish).toContain("-l event -r -f -a '(__whk_events)'");
    for (const s of [bash, zsh, fish]) expect(s).not.toContain('hidden-thing');
  });

  it("every flag of every whk command (the Spec table) is in the bash script's list for its command", () => {
    const p = program(() => undefined);
    const bash = bashScript({ program: describeCommand(p), schemes: [], generator: 'whk test' });
    const listed = (path: string) => /REPLY='([^']*)'/.exec(bash.split('\n').find((l) => l.startsWith(`    '${path}') REPLY=`) && l.includes('--help')) ?? '')?.[1]?.split(' ') ?? [];
    const walk = (cmd: Command, path: string): string[] => [path, ...cmd.commands.flatMap((c) => walk(c, `${path} ${c.name()}`))];
    const paths = walk(p, 'whk');
    expect(paths).toEqual(expect.arrayContaining(['whk listen', 'whk schemes show', 'whk history show', 'whk queue retry', 'whk completion']));
    const find = (path: string) => path.split(' ').slice(1).reduce((c, name) => c.commands.find((x) => x.name() === name)!, p);
    let checked = 0;
    for (const path of paths) {
      const options = find(path).options.map((o) => o.long);
      expect(listed(path), path).toEqual(expect.arrayContaining([...options, '--help']));
      checked += options.length;
    }
    expect(checked).toBeGreaterThan(150);
  });
});

describe('whk completion: which shell', () => {
  it('the one named, else the one $SHELL names; otherwise a usage error listing bash, zsh and fish', () => {
    expect(pickShell('fish', '/bin/bash')).toBe('fish');
    expect(pickShell(undefined, '/usr/bin/zsh')).toBe('zsh');
    expect(() => pickShell('tcsh', '/bin/bash')).toThrow('unknown shell "tcsh": pass bash, zsh or fish');
    expect(() => pickShell(undefined, '/bin/tcsh')).toThrow(/\/bin\/tcsh: pass bash, zsh or fish/);
    expect(() => pickShell(undefined, undefined)).toThrow(/pass bash, zsh or fish/);
  });
});
