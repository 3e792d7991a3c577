/**
 * src/providers/keccak.ts (Moralis's Keccak-256) against @noble/hashes, a devDependency used by
 * tests only: known vectors, every length around the 136-byte rate, and random inputs.
 */
import { randomBytes } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { describe, expect, it } from 'vitest';
import { keccak256 } from '../../src/providers/keccak.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('keccak256', () => {
  it('known vectors (the empty string, "abc": Ethereum\'s, not SHA3-256\'s)', () => {
    expect(hex(keccak256(Buffer.alloc(0)))).toBe('c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    expect(hex(keccak256(Buffer.from('abc')))).toBe('4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
    expect(hex(keccak256(Buffer.from('abc')))).not.toBe('3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532');
  });

  it('agrees with @noble/hashes at every length from 0 to 3 blocks and a bit', () => {
    for (let n = 0; n <= 3 * 136 + 5; n++) {
      const b = randomBytes(n);
      expect([n, hex(keccak256(b))]).toEqual([n, hex(keccak_256(b))]);
    }
  });

  it('agrees with @noble/hashes on large random inputs', () => {
    for (const n of [1000, 4096, 65_537, 300_001]) {
      const b = randomBytes(n);
      expect(hex(keccak256(b))).toBe(hex(keccak_256(b)));
    }
  });
});
