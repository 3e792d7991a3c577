/**
 * Defect: `whk probe` against a receiver that accepts connections and never answers ran every
 * check to its timeout (36 s) and exited 1, where `whk send` exits 3 for the same receiver. Now
 * the probe stops at the first check that gets no answer: one line, exit 3, like send.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whk } from '../helpers/in-process.js';

let server: Server;
let url: string;
const sockets = new Set<Socket>();
let connections = 0;
beforeAll(async () => {
  // Reads every request, answers none.
  server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.resume();
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => server.close(resolve));
});

describe('a receiver that never answers', () => {
  it('whk probe stops at the first check: one line, exit 3, as whk send', async () => {
    connections = 0;
    const probe = await whk(['probe', url, '--scheme', 'github', '--secret', 'k', '--timeout', '300ms']);
    expect(probe.code).toBe(3);
    expect(probe.stdout).toBe('');
    expect(probe.stderr).toMatch(/^whk: no answer from http:\/\/127\.0\.0\.1:\d+ in time — the receiver is too slow \(raise --timeout\)\n$/);
    expect(connections).toBe(1);
    const send = await whk(['send', url, '--scheme', 'github', '--secret', 'k', '--timeout', '300ms']);
    expect(send.code).toBe(probe.code);
    expect(send.stderr).toBe(probe.stderr);
  });
});
