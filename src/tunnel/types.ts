/**
 * A tunnel exposes the local listener on a public URL. The listener only knows this interface:
 * ngrok (./ngrok.ts), ssh (./ssh.ts), localtunnel (./localtunnel.ts) and cloudflared
 * (./cloudflared.ts) implement it; tests use a fake (test/helpers/fake-tunnel.ts).
 */
export interface TunnelAdapter {
  /** For messages: "ngrok", "ssh". */
  readonly name: string;
  /**
   * Opens the tunnel to `localUrl` (an origin such as http://127.0.0.1:4000) and resolves with
   * the public origin (https://abc.ngrok.app). Rejects with a WhkError (exit 2 for a
   * configuration problem, 3 for a network one); never hangs past its own timeout.
   */
  start(localUrl: string): Promise<string>;
  /**
   * Told the public origin each time the tunnel came back after a drop (the same one, or a new
   * one: a provider that signs the URL signs the new one). Adapters that keep their URL may omit it.
   */
  onUrl?(listener: (publicOrigin: string) => void): void;
  /** Closes the tunnel (a child process is killed and reaped); never throws, never hangs. */
  close(): Promise<void>;
}

/** The tunnels whk can open (`--tunnel <provider>`). */
export const TUNNEL_PROVIDERS = ['ngrok', 'ssh', 'localtunnel', 'cloudflared'] as const;
export type TunnelProvider = (typeof TUNNEL_PROVIDERS)[number];
