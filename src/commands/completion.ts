import type { Command } from 'commander';
import { basename } from 'node:path';
import { bashScript } from '../completion/bash.js';
import { fishScript } from '../completion/fish.js';
import { describeCommand, schemeModels, SHELLS, type CompletionModel, type Shell } from '../completion/model.js';
import { zshScript } from '../completion/zsh.js';
import { usage } from '../errors.js';
import type { IO } from '../io/input.js';
import { registryFor } from '../run-schemes.js';

const SCRIPTS: Record<Shell, (model: CompletionModel) => string> = { bash: bashScript, zsh: zshScript, fish: fishScript };

const isShell = (name: string): name is Shell => (SHELLS as readonly string[]).includes(name);

/** The shell named, else the one $SHELL names; a usage error (exit 2) listing the shells otherwise. */
export function pickShell(given: string | undefined, loginShell: string | undefined): Shell {
  if (given !== undefined) {
    if (isShell(given)) return given;
    throw usage('unknown_shell', `unknown shell "${given}": pass bash, zsh or fish`);
  }
  const detected = basename(loginShell ?? '');
  if (isShell(detected)) return detected;
  throw usage('no_shell', loginShell
    ? `cannot tell which completion script to write for $SHELL ${loginShell}: pass bash, zsh or fish (whk completion bash)`
    : 'which shell? pass bash, zsh or fish (whk completion bash)');
}

/**
 * `whk completion [bash|zsh|fish]`: prints the completion script for the shell, generated from
 * `program` (every command, as `--help` shows them) and the schemes of this run (the built-in
 * ones and the config folder's), their sample events written in.
 */
export async function completionCommand(shell: string | undefined, program: Command, io: IO, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const chosen = pickShell(shell, env.SHELL);
  const { registry } = await registryFor({ everything: true });
  const model: CompletionModel = { program: describeCommand(program), schemes: schemeModels(registry.all), generator: `whk ${program.version()}` };
  io.out(SCRIPTS[chosen](model));
  return 0;
}
