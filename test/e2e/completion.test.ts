/**
 * whk completion, end to end: the built CLI writes each script; bash (spawned, non-interactive)
 * sources it and completes as it does on TAB (COMP_WORDS and COMP_CWORD as bash sets them, then
 * the completion function); zsh and fish, where installed, parse theirs and complete a line (zsh
 * at a real prompt through its own pseudo-terminal module, fish with `complete -C`).
 *
 * Expected event names come from the providers' published lists, not from whk's: Stripe's event
 * types (https://docs.stripe.com/api/events/types: payment_intent.succeeded,
 * checkout.session.completed), Bitbucket Cloud's event keys (https://support.atlassian.com/
 * bitbucket-cloud/docs/event-payloads/: repo:push), Castle's webhook types
 * (https://docs.castle.io/docs/webhooks: $incident.confirmed).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runWhk } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'whk-completion-'));
const script = (shell: string) => join(dir, `whk.${shell}`);
const has = (shell: string) => spawnSync(shell, ['--version']).status === 0;

beforeAll(async () => {
  const made = await Promise.all(['bash', 'zsh', 'fish'].map((shell) => runWhk(['completion', shell])));
  made.forEach((r, i) => {
    expect([r.code, r.stderr]).toEqual([0, '']);
    writeFileSync(script(['bash', 'zsh', 'fish'][i]!), r.stdout);
  });
  writeFileSync(join(dir, 'body.json'), '{}');
});

/** What bash offers for the line `words` with the cursor on the last word (COMPREPLY). */
function bash(...words: string[]): string[] {
  const r = spawnSync('bash', ['-c', 'source "$1" && shift && COMP_WORDS=("$@") && COMP_CWORD=$(($# - 1)) && _whk_complete && printf "%s\\n" "${COMPREPLY[@]}"', '_', script('bash'), ...words], { encoding: 'utf8' });
  expect([r.status, r.stderr]).toEqual([0, '']);
  return r.stdout.split('\n').filter(Boolean);
}

describe('whk completion bash, sourced in bash', () => {
  it('completes commands, subcommands and flags per command', () => {
    expect(bash('whk', 'li')).toEqual(['listen']);
    expect(bash('whk', 'listen', '--sch')).toEqual(['--scheme', '--scheme-file']);
    expect(bash('whk', 'history', '')).toEqual(['show', 'export', 'clear']);
    expect(bash('whk', 'queue', 're')).toEqual(['retry']);
    expect(bash('whk', '--no-color', 'send', '--list-')).toEqual(['--list-events']);
    expect(bash('whk', 'history', 'export', '--sin')).toEqual(['--since']);
  });

  it('completes scheme names after --scheme (auto where the command detects) and in schemes show', () => {
    expect(bash('whk', 'send', '--scheme', 'stri')).toEqual(['stripe']);
    expect(bash('whk', 'verify', '--scheme', 'au')).toEqual(['auto', 'autodesk']);
    expect(bash('whk', 'send', '--scheme', 'au')).toEqual(['autodesk']);
    expect(bash('whk', 'schemes', 'show', 'gith')).toEqual(['github']);
  });

  it("completes --event with the sample events of the --scheme given, as bash splits the line", () => {
    const stripe = bash('whk', 'send', 'http://127.0.0.1:4000/', '--scheme', 'stripe', '--event', '');
    expect(stripe).toEqual(expect.arrayContaining(['payment_intent.succeeded', 'checkout.session.completed']));
    expect(stripe).not.toContain('repo:push');
    expect(bash('whk', 'send', '--scheme', 'stripe', '--event', 'payment_intent.s')).toEqual(['payment_intent.succeeded']);
    // Bash splits at ':' and '=' (COMP_WORDBREAKS) and replaces only the last piece.
    expect(bash('whk', 'send', '--scheme', 'bitbucket', '--event', 'repo', ':', 'pu')).toEqual(['push']);
    expect(bash('whk', 'send', '--scheme', '=', 'bitbucket', '--event', '=', 're')).toEqual(['repo:push']);
    // A name the shell would expand is quoted for the line.
    expect(bash('whk', 'send', '--scheme', 'castle', '--event', '$inc')).toEqual(['\\$incident.confirmed']);
  });

  it('completes file names for flags that take a file, and the values the Spec lists', () => {
    const body = join(dir, 'bo');
    for (const flag of [['sign', '--body-file'], ['listen', '--record'], ['listen', '--config'], ['send', '--secret-file'], ['verify', '--scheme-file']]) {
      expect(bash('whk', ...flag, body), flag.join(' ')).toEqual([join(dir, 'body.json')]);
    }
    expect(bash('whk', 'replay', body)).toEqual([join(dir, 'body.json')]);
    expect(bash('whk', 'send', '--url', body)).toEqual([]);
    expect(bash('whk', 'send', '--tamper', '')).toEqual(['body', 'signature']);
    expect(bash('whk', 'completion', '')).toEqual(['bash', 'zsh', 'fish']);
  });

  it('registers itself for whk', () => {
    const r = spawnSync('bash', ['-c', 'source "$1" && complete -p whk', '_', script('bash')], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('complete -F _whk_complete whk');
  });
});

describe('whk completion: the shell', () => {
  it('an unknown shell: one line listing bash, zsh and fish, exit 2', async () => {
    const r = await runWhk(['completion', 'tcsh']);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe('whk: unknown shell "tcsh": pass bash, zsh or fish (see whk completion --help)\n');
  });

  it('no shell named: the one $SHELL names, else a usage error saying which to pass', async () => {
    const fish = await runWhk(['completion'], { env: { SHELL: '/usr/bin/fish' } });
    expect([fish.code, fish.stdout.split('\n')[0]]).toEqual([0, expect.stringMatching(/^# fish completion for whk/)]);
    const tcsh = await runWhk(['completion'], { env: { SHELL: '/bin/tcsh' } });
    expect([tcsh.code, tcsh.stderr.trim().split('\n').length]).toEqual([2, 1]);
    expect(tcsh.stderr).toMatch(/\/bin\/tcsh: pass bash, zsh or fish/);
    expect((await runWhk(['completion'], { env: { SHELL: undefined } })).code).toBe(2);
  });
});

// zsh at a real prompt: zpty types the line and a TAB, then Ctrl-U and an echo whose output says
// the completion before it has been drawn.
const ZPTY = `
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "autoload -U compinit; compinit -u -D; source \${(q)1}; PS1='READY-%?> '"
zpty -r z out '*READY-0> *'
zpty -w -n z "$2"$'\\t'
zpty -w z $'\\x15echo DONE-$((6*7))'
zpty -r z out '*DONE-42*'
print -r -- "$out"
zpty -d z
`;

const hasZpty = has('zsh') && spawnSync('zsh', ['-fc', 'zmodload zsh/zpty']).status === 0;

describe.skipIf(!has('zsh'))('whk completion zsh (zsh is installed)', () => {
  const zsh = (line: string) => {
    const r = spawnSync('zsh', ['-f', '-c', ZPTY, 'zsh', script('zsh'), line], { encoding: 'utf8', timeout: 15_000, env: { ...process.env, TERM: 'dumb' } });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.replace(/\x1b\[[?0-9;]*[A-Za-z]/g, '');
  };

  it('parses', () => {
    expect(spawnSync('zsh', ['-n', script('zsh')]).status).toBe(0);
  });

  it.skipIf(!hasZpty)('completes commands, schemes (auto where detected) and the --scheme\'s events at a prompt', () => {
    expect(zsh('whk li')).toContain('whk listen ');
    expect(zsh('whk verify --scheme au')).toMatch(/whk verify --scheme auto(?!desk)/);
    const events = zsh('whk send --scheme stripe --event ');
    expect(events).toContain('payment_intent.succeeded');
    expect(events).toContain('checkout.session.completed');
    expect(zsh('whk send --scheme=bitbucket --event repo')).toContain('--event repo:push ');
  });
});

describe.skipIf(!has('fish'))('whk completion fish (fish is installed)', () => {
  const fish = (line: string) => {
    const r = spawnSync('fish', ['--no-config', '-c', 'source $argv[1]; and complete -C $argv[2]', script('fish'), line], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
    return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]);
  };

  it('parses', () => {
    expect(spawnSync('fish', ['--no-execute', script('fish')]).status).toBe(0);
  });

  it('completes commands, flags, schemes, events and files', () => {
    expect(fish('whk li')).toEqual(['listen']);
    expect(fish('whk listen --sch')).toEqual(['--scheme', '--scheme-file']);
    expect(fish('whk schemes ')).toEqual(['show']);
    expect(fish('whk send --scheme stri')).toEqual(['stripe']);
    expect(fish('whk send --scheme stripe --event ')).toEqual(expect.arrayContaining(['payment_intent.succeeded', 'checkout.session.completed']));
    expect(fish('whk send --scheme=bitbucket --event ')).toContain('repo:push');
    expect(fish(`whk sign --body-file ${join(dir, 'bo')}`)).toEqual([join(dir, 'body.json')]);
  });
});
