/**
 * Keccak-256 as Ethereum uses it (web3.utils.sha3, ethers' keccak256): the Keccak sponge with
 * rate 1088 bits and the original padding (0x01 ... 0x80). This is not SHA3-256 (FIPS 202 pads
 * with 0x06), which node:crypto has: the two give different digests for every input.
 *
 * Pure and small: lanes are pairs of 32-bit words (low, high), the round constants and rotation
 * offsets are derived from their definitions (the LFSR and the (x, y) walk) rather than typed in.
 * Checked against @noble/hashes (tests only) on known vectors and random inputs.
 */

const ROUNDS = 24;
const RATE = 136; // bytes: (1600 - 2 * 256) / 8

/** Round constants, low and high words: bit 2^j - 1 of RC[i] is rc(j + 7i), rc the LFSR x^8+x^6+x^5+x^4+1. */
const RC_LO = new Uint32Array(ROUNDS);
const RC_HI = new Uint32Array(ROUNDS);
/** Rotation offset of lane x + 5y, and where pi moves it. */
const ROT = new Uint8Array(25);
const PI = new Uint8Array(25);

{
  let r = 1;
  const bit = () => {
    const out = r & 1;
    r = (r << 1) ^ (r & 0x80 ? 0x171 : 0);
    return out;
  };
  for (let i = 0; i < ROUNDS; i++) {
    for (let j = 0; j < 7; j++) {
      if (bit()) {
        const pos = (1 << j) - 1;
        if (pos < 32) RC_LO[i] = RC_LO[i]! | (1 << pos);
        else RC_HI[i] = RC_HI[i]! | (1 << (pos - 32));
      }
    }
  }
  let x = 1;
  let y = 0;
  for (let t = 0; t < 24; t++) {
    ROT[x + 5 * y] = (((t + 1) * (t + 2)) / 2) % 64;
    [x, y] = [y, (2 * x + 3 * y) % 5];
  }
  for (let x = 0; x < 5; x++) for (let y = 0; y < 5; y++) PI[x + 5 * y] = y + 5 * ((2 * x + 3 * y) % 5);
}

/** Keccak-f[1600] on 50 words (lane i = words 2i, 2i+1). */
function permute(s: Uint32Array): void {
  const cLo = new Uint32Array(5);
  const cHi = new Uint32Array(5);
  const bLo = new Uint32Array(25);
  const bHi = new Uint32Array(25);
  for (let round = 0; round < ROUNDS; round++) {
    // theta
    for (let x = 0; x < 5; x++) {
      cLo[x] = s[2 * x]! ^ s[2 * x + 10]! ^ s[2 * x + 20]! ^ s[2 * x + 30]! ^ s[2 * x + 40]!;
      cHi[x] = s[2 * x + 1]! ^ s[2 * x + 11]! ^ s[2 * x + 21]! ^ s[2 * x + 31]! ^ s[2 * x + 41]!;
    }
    for (let x = 0; x < 5; x++) {
      const lo1 = cLo[(x + 1) % 5]!;
      const hi1 = cHi[(x + 1) % 5]!;
      const dLo = cLo[(x + 4) % 5]! ^ ((lo1 << 1) | (hi1 >>> 31));
      const dHi = cHi[(x + 4) % 5]! ^ ((hi1 << 1) | (lo1 >>> 31));
      for (let y = 0; y < 25; y += 5) {
        s[2 * (x + y)] = s[2 * (x + y)]! ^ dLo;
        s[2 * (x + y) + 1] = s[2 * (x + y) + 1]! ^ dHi;
      }
    }
    // rho and pi
    for (let i = 0; i < 25; i++) {
      const lo = s[2 * i]!;
      const hi = s[2 * i + 1]!;
      const n = ROT[i]!;
      const j = PI[i]!;
      if (n === 0) {
        bLo[j] = lo;
        bHi[j] = hi;
      } else if (n < 32) {
        bLo[j] = (lo << n) | (hi >>> (32 - n));
        bHi[j] = (hi << n) | (lo >>> (32 - n));
      } else if (n === 32) {
        bLo[j] = hi;
        bHi[j] = lo;
      } else {
        const m = n - 32;
        bLo[j] = (hi << m) | (lo >>> (32 - m));
        bHi[j] = (lo << m) | (hi >>> (32 - m));
      }
    }
    // chi
    for (let y = 0; y < 25; y += 5) {
      for (let x = 0; x < 5; x++) {
        const a = y + x;
        const b = y + ((x + 1) % 5);
        const c = y + ((x + 2) % 5);
        s[2 * a] = bLo[a]! ^ (~bLo[b]! & bLo[c]!);
        s[2 * a + 1] = bHi[a]! ^ (~bHi[b]! & bHi[c]!);
      }
    }
    // iota
    s[0] = s[0]! ^ RC_LO[round]!;
    s[1] = s[1]! ^ RC_HI[round]!;
  }
}

/** XORs `RATE` bytes of `block` (little-endian lanes) into the state. */
function absorb(s: Uint32Array, block: Uint8Array, at: number): void {
  for (let w = 0; w < RATE / 4; w++) {
    const i = at + 4 * w;
    s[w] = s[w]! ^ (block[i]! | (block[i + 1]! << 8) | (block[i + 2]! << 16) | (block[i + 3]! << 24));
  }
}

/** The Keccak-256 digest (32 bytes) of `data`. */
export function keccak256(data: Uint8Array): Buffer {
  const s = new Uint32Array(50);
  const full = data.length - (data.length % RATE);
  for (let at = 0; at < full; at += RATE) {
    absorb(s, data, at);
    permute(s);
  }
  const last = new Uint8Array(RATE);
  last.set(data.subarray(full));
  last[data.length - full] = 0x01;
  last[RATE - 1] = last[RATE - 1]! | 0x80;
  absorb(s, last, 0);
  permute(s);
  const out = Buffer.alloc(32);
  for (let w = 0; w < 8; w++) out.writeUInt32LE(s[w]!, 4 * w);
  return out;
}
