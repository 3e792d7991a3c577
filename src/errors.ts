/**
 * The one error type. `code` is stable; `exitCode` follows the table in the README. The build
 * holds one copy of this module (one module graph), so `instanceof` holds everywhere.
 */
export class WhkError extends Error {
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
