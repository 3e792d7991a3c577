import type { TunnelAdapter } from '../../src/tunnel/types.js';

/**
 * A tunnel that opens nothing: `start` answers `publicUrl` at once. For tests (the listener's
 * unit tests, and whk run in-process with the tunnel injected: main(argv, { listen: { tunnel } })).
 */
export function fakeTunnel(publicUrl: string, opts: { fail?: Error } = {}): TunnelAdapter & { started: string[]; closed: number } {
  const t = {
    name: 'fake',
    started: [] as string[],
    closed: 0,
    async start(localUrl: string) {
      t.started.push(localUrl);
      if (opts.fail) throw opts.fail;
      return publicUrl.replace(/\/+$/, '');
    },
    async close() {
      t.closed++;
    },
  };
  return t;
}
