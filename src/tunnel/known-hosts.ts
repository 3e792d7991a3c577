import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * whk's own known_hosts files, in the format ssh reads and writes (ssh itself checks the host
 * key against them: whk never does it by hand). These helpers only read them for messages.
 */

/** The name a known_hosts file gives `host` on `port`: `host`, or `[host]:port` off port 22. */
export const knownHostName = (host: string, port: number): string => (port === 22 ? host.toLowerCase() : `[${host.toLowerCase()}]:${port}`);

export interface HostKey {
  /** As ssh says it: ED25519, RSA, ECDSA. */
  kind: string;
  /** SHA256:... as ssh prints it. */
  fingerprint: string;
}

/** The keys `text` (a known_hosts file) holds for `name`, in plain entries (whk asks ssh not to hash them). */
export function hostKeysIn(text: string, name: string): HostKey[] {
  const keys: HostKey[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('@')) continue;
    const [names, type, key] = line.split(/\s+/);
    if (!names || !type || !key || !names.split(',').includes(name)) continue;
    keys.push({ kind: keyKind(type), fingerprint: fingerprintOf(key) });
  }
  return keys;
}

/** OpenSSH's fingerprint of a public key (its base64 blob): `SHA256:` and the unpadded base64 of its SHA-256. */
export const fingerprintOf = (base64Key: string): string =>
  `SHA256:${createHash('sha256').update(Buffer.from(base64Key, 'base64')).digest('base64').replace(/=+$/, '')}`;

/** `ssh-ed25519` → `ED25519`, as ssh names key types in its messages. */
export function keyKind(type: string): string {
  if (type === 'ssh-ed25519') return 'ED25519';
  if (type === 'ssh-rsa') return 'RSA';
  if (type.startsWith('ecdsa-')) return 'ECDSA';
  return type;
}

/** The keys a known_hosts file holds for `name` (none when the file does not exist yet). */
export function knownKeys(file: string, name: string): HostKey[] {
  try {
    return hostKeysIn(readFileSync(file, 'utf8'), name);
  } catch {
    return [];
  }
}

/** Writes a known_hosts file (its folder made, readable by its owner only). */
export function writeKnownHosts(file: string, lines: readonly string[]): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, lines.map((l) => `${l}\n`).join(''), { mode: 0o600 });
}
