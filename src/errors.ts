const BRAND = Symbol.for('whk.WhkError');

/**
 * The one error type. `code` is stable; `exitCode` follows the table in the README.
 * `instanceof` recognises it by a brand rather than by class identity, so that it also holds
 * across the separately bundled parts of the CLI (dist/bin/cli.cjs and dist/bin/commands/).
 */
export class WhkError extends Error {
  readonly [BRAND] = true;

  static [Symbol.hasInstance](x: unknown): boolean {
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;
  }

  constructor(
    public readonly code: string,
    message: string,
    public readonly exitCode: number = 2,
  ) {
    super(message);
    this.name = 'WhkError';
  }
}

/** Misuse of the core: a secret that cannot be decoded, a missing URL, ... (exit 2). */
export const usage = (code: string, message: string) => new WhkError(code, message, 2);
