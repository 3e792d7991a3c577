import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';

/**
 * A second layer behind the key, on Linux: the user at the other end of a connection. The
 * inspector listens on 127.0.0.1, so its peer is a process on this machine, and the kernel lists
 * that process's socket, with its owner's uid, in /proc/net/tcp. Peers of another user are
 * refused (root and, under sudo, the user who ran it, excepted: they can read this process
 * anyway). When the table cannot be read (not Linux) or does not list the socket (the peer has
 * gone), the key alone decides.
 */

export interface Endpoint {
  address: string;
  port: number;
}

/** An IPv4 address and port as /proc/net/tcp writes them: `0100007F:1F90` is 127.0.0.1:8080 here. */
export function procAddress(e: Endpoint, little = endianness() === 'LE'): string | undefined {
  const bytes = e.address.split('.').map(Number);
  if (bytes.length !== 4 || bytes.some((b) => !Number.isInteger(b) || b < 0 || b > 255)) return undefined;
  if (little) bytes.reverse();
  const hex = (n: number, w: number) => n.toString(16).toUpperCase().padStart(w, '0');
  return `${bytes.map((b) => hex(b, 2)).join('')}:${hex(e.port, 4)}`;
}

/**
 * The uid that owns the connected socket (state 01, ESTABLISHED) whose local end is `peer` and
 * remote end is `local`, from the text of /proc/net/tcp (columns: sl, local_address, rem_address,
 * st, queues, timer, retransmits, uid, ...). Undefined when no line lists it.
 */
export function uidInTable(table: string, peer: Endpoint, local: Endpoint, little?: boolean): number | undefined {
  const from = procAddress(peer, little);
  const to = procAddress(local, little);
  if (!from || !to) return undefined;
  const pair = ` ${from} ${to} `;
  for (let at = table.indexOf(pair); at >= 0; at = table.indexOf(pair, at + 1)) {
    const end = table.indexOf('\n', at);
    const fields = table.slice(table.lastIndexOf('\n', at) + 1, end < 0 ? undefined : end).trim().split(/\s+/);
    const uid = Number(fields[7]);
    if (fields[3] === '01' && Number.isInteger(uid)) return uid;
  }
  return undefined;
}

/** The users whose connections are served: this process's, root, and under sudo the user who ran it. Null: no uids here (Windows). */
export function allowedUids(env: NodeJS.ProcessEnv = process.env): Set<number> | null {
  if (typeof process.getuid !== 'function') return null;
  const own = process.getuid();
  const allowed = new Set([own, 0]);
  const sudo = Number(env.SUDO_UID);
  if (own === 0 && Number.isInteger(sudo)) allowed.add(sudo);
  return allowed;
}

/**
 * Whether the peer of this connection may be served: false only when /proc/net/tcp names its
 * owner and that owner is not allowed. The table is read once per connection, not per request,
 * and again once if it misses the socket (the kernel does not write it atomically). Its size
 * follows the machine's TCP sockets: well under a millisecond for a few hundred; with 4,000,
 * about 25 ms in the thread pool and under 1 ms on the event loop.
 */
export async function peerAllowed(peer: Endpoint, local: Endpoint, allowed: Set<number> | null, table = '/proc/net/tcp'): Promise<boolean> {
  if (allowed === null || process.platform !== 'linux') return true;
  for (let attempt = 0; attempt < 2; attempt++) {
    const text = await readFile(table, 'latin1').catch(() => undefined);
    if (text === undefined) return true;
    const uid = uidInTable(text, peer, local);
    if (uid !== undefined) return allowed.has(uid);
  }
  return true;
}
