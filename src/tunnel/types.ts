/**
 * A tunnel exposes the local listener on a public URL. The listener only knows this interface:
 * ngrok is one implementation (./ngrok.ts), tests use a fake (./fake.ts).
 */
export interface TunnelAdapter {
  /** For messages: "ngrok". */
  readonly name: string;
  /**
   * Opens the tunnel to `localUrl` (an origin such as http://127.0.0.1:4000) and resolves with
   * the public origin (https://abc.ngrok.app). Rejects with a WhkError (exit 2 for a
   * configuration problem, 3 for a network one); never hangs past its own timeout.
   */
  start(localUrl: string): Promise<string>;
  /** Closes the tunnel; never throws, never hangs. */
  close(): Promise<void>;
}
