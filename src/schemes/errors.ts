/** The one error type. `code` is stable; `exitCode` follows the table in the README. */
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
