/**
 * What an error that ends a run means for the user: one line on stderr and the exit code. Shared
 * by the program (src/cli.ts) and the quick path of sign and verify (src/quick.ts).
 */
import { WhkError } from '../errors.js';
import type { IO } from '../io/input.js';

/**
 * Reports `e` on `io` and gives the exit code: a WhkError's own (a usage error, 2, ends with
 * `help`, the command's "whk sign --help", unless it already names one); anything else is
 * unexpected, exit 1. The stack only with `debug`.
 */
export function failed(e: unknown, io: IO, debug: boolean, help: string): number {
  if (e instanceof WhkError) {
    const hinted = /\bsee whk [a-z ]+--help\b/.test(e.message);
    io.err(`whk: ${withFlags(e)}${e.exitCode === 2 && !hinted ? ` (see ${help})` : ''}`);
    if (debug) io.err(e.stack ?? '');
    return e.exitCode;
  }
  io.err(`whk: unexpected error: ${(e as Error)?.message ?? String(e)}${debug ? `\n${(e as Error)?.stack}` : ' (run with --debug for details)'}`);
  return 1;
}

/**
 * The core's messages say what is wrong, not which flag fixes it (the library has no flags): the
 * CLI adds that here, by error code.
 */
function withFlags(e: WhkError): string {
  const m = e.message;
  switch (e.code) {
    case 'no_secret':
      return m === 'no secret' ? 'no secret: pass --secret, --secret-file or set WHK_SECRET' : m;
    case 'missing_url':
      return m.replace(/: the URL it posts to is needed$/, ': pass --url <the URL it posts to>');
    case 'missing_signed_header':
      return m.replace(/ signs the (\S+) header: give its value$/, " signs the $1 header: give its value (--header '$1: <value>')");
    case 'bad_secret':
      return m.replace(/\(the (\S+) scheme takes the secret as plain text\)/, '(use --scheme $1 to use it as plain text)');
    default:
      return m;
  }
}
