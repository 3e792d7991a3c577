import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { usage } from '../errors.js';
import { toBuffer } from '../schemes/hmac.js';
import type { Secret } from '../schemes/types.js';

/**
 * RSA and ECDSA keys for the key-pair providers (SendGrid, Amazon SNS, Fireblocks). The sender
 * signs with a private key (PEM); receivers verify with the public key, which comes as PEM, as a
 * certificate, as base64 DER (SubjectPublicKeyInfo, what SendGrid's settings show), or as the
 * private key itself (its public half: one file for `send` and `listen`).
 */
export type KeyType = 'rsa' | 'ec';

const NAMES: Record<KeyType, string> = { rsa: 'RSA', ec: 'EC (ECDSA)' };

// A listener verifies every delivery with the same few keys: parse each once (bounded).
const cache = new Map<string, KeyObject>();
function remember(id: string, make: () => KeyObject): KeyObject {
  let k = cache.get(id);
  if (k === undefined) {
    k = make();
    if (cache.size >= 32) cache.delete(cache.keys().next().value!);
    cache.set(id, k);
  }
  return k;
}

const text = (secret: Secret) => (typeof secret === 'string' ? secret : toBuffer(secret).toString('utf8')).trim();
const isPem = (s: string) => s.startsWith('-----BEGIN');

function ofType(k: KeyObject, type: KeyType, scheme: string, what: string): KeyObject {
  if (k.asymmetricKeyType !== type) {
    throw usage('bad_secret', `${what} is ${k.asymmetricKeyType === undefined ? 'not an asymmetric key' : `an ${k.asymmetricKeyType.toUpperCase()} key`}; ${scheme} uses an ${NAMES[type]} key`);
  }
  return k;
}

/** The private key that signs: PEM (PKCS#8, PKCS#1 or SEC1). */
export function signingKey(secret: Secret, type: KeyType, scheme: string): KeyObject {
  const s = text(secret);
  return remember(`private ${type} ${s}`, () => {
    if (!isPem(s) || !/PRIVATE KEY-----/.test(s)) {
      throw usage('bad_secret', isPem(s) || looksLikeDer(s)
        ? `signing needs the ${NAMES[type]} private key (PEM), not the public key or certificate: those verify`
        : `${scheme} signs with an ${NAMES[type]} private key: give it as PEM (-----BEGIN PRIVATE KEY-----)`);
    }
    try {
      return ofType(createPrivateKey(s), type, scheme, 'the signing key');
    } catch (e) {
      if ((e as { code?: string }).code === 'bad_secret') throw e;
      throw usage('bad_secret', `the signing key is PEM that Node cannot read as a private key (${(e as Error).message})`);
    }
  });
}

const looksLikeDer = (s: string) => /^[A-Za-z0-9+/\s]{40,}={0,2}$/.test(s);

/**
 * The public key that verifies: a PEM public key or certificate, base64 DER SubjectPublicKeyInfo
 * (PEM without its armour), or a private key's public half.
 */
export function verifyingKey(secret: Secret, type: KeyType, scheme: string): KeyObject {
  const s = text(secret);
  return remember(`public ${type} ${s}`, () => {
    let k: KeyObject;
    try {
      if (isPem(s)) k = createPublicKey(s);
      else if (looksLikeDer(s)) k = createPublicKey({ key: Buffer.from(s.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' });
      else throw new Error('not a key');
    } catch {
      throw usage('bad_secret', `${scheme} verifies with the provider's ${NAMES[type]} public key: give it as PEM (public key or certificate) or as base64 DER, not ${isPem(s) ? 'this PEM, which Node cannot read' : 'this text'}`);
    }
    return ofType(k, type, scheme, 'the verifying key');
  });
}

/** Whether `secret` is a key `verifyingKey` reads but `signingKey` refuses (a public key or certificate). */
export function isVerifyOnly(secret: Secret, type: KeyType): boolean {
  try {
    verifyingKey(secret, type, '');
  } catch {
    return false;
  }
  return !/PRIVATE KEY-----/.test(text(secret));
}

/** The signature of `message` (RSA PKCS#1 v1.5, or ECDSA as DER). */
export const signWith = (hash: string, key: KeyObject, message: Buffer): Buffer => nodeSign(hash, message, key);

/** Whether `signature` is a valid signature of `message`; never throws (malformed DER is simply invalid). */
export function verifyWith(hash: string, key: KeyObject, message: Buffer, signature: Buffer): boolean {
  try {
    return nodeVerify(hash, message, key, signature);
  } catch {
    return false;
  }
}

/** Strict base64 (standard alphabet, padded or not); undefined otherwise. */
export function base64(value: string): Buffer | undefined {
  const v = value.trim();
  return v !== '' && /^[A-Za-z0-9+/]+={0,2}$/.test(v) && v.length % 4 !== 1 ? Buffer.from(v, 'base64') : undefined;
}

/** Strict base64url without padding (JWS); undefined otherwise. */
export function base64url(value: string): Buffer | undefined {
  return value !== '' && /^[A-Za-z0-9_-]+$/.test(value) && value.length % 4 !== 1 ? Buffer.from(value, 'base64url') : undefined;
}

// Throwaway private keys, nobody's: what `send --no-signature` / `--wrong-secret` need when no real
// key is given, and what secretProblem signs with to judge a public key (placeholderSecret).
export const PLACEHOLDER_EC = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgGqLhSiu1Y5TuOx9J
hIrJYi7yd+oMkGNLL0ECQ6kwNtOhRANCAAS2ElViByyZ2+Uks5Kz4qbmwo4ErYDr
NAMEvN93eJVtvlTmqfPPeuRxIuPl+4lDFyCNroZNCNpedxev3deqDUMs
-----END PRIVATE KEY-----
`;
export const PLACEHOLDER_RSA = `-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCKi7Bj8o24ln1k
KSPHy5K6W4euIMUSLcdlapL7QtGzTqbgWnii3Q+02MtWj0AfHv6/O2R2g5uQWevY
77LsDOILpZ2ewQVq9VvBO1g4TqyDxXlingav80VuFOeFT27hkm4rfgfaX0yN4qf5
t8ZI6FiXxbj2p4ItNG1EiSAT6PpqCXVm3ffUcaccpgqN4FDf0Rap4JxB4mhBafAP
SkT3rVoRQbMkLuihWjX59LhTLLuDnl/6bMf1+DDCo2UWsNrqusMyQ1mJxr0MTMiJ
JXne+OJFiAOxZNwA8k0W5Ln1TAW+DSXK35yKQ+LD80fNVZJp1vplESu4zySoAdPY
L8whfDOHAgMBAAECggEAFvXRdK7k17tw6mF7AYh2N5YlpTDfGAUoL2F7HFLVh963
/yRfK7Zw/OqUwDKbUM0FMNH58z4aUNDmKhyHTWFRMNbwiTe52yDwZNSd6S74nhni
5PoFZ7FsRzMFr20blhx7T4/iY0k52aW/ar4PCVQgIn7tCUt3YmB2303OWB5bKalL
M+DEVeG8nm+dsIz1kRAY2P9PFcvu6hXu+m9UFrrHJhZxv3F1QKPLvucSsIWuFZbL
R35J9mbqMi5eTVTmg8Q6pMZCFbwZzZ1x9/+PoA53cSGphqK9Zura/fs1Zt8EZas8
KSN2mGpMzDygGw5B3T0jTQP+3/uFpv11Fp5IaXtl2QKBgQC+HNU3/Nft3rfam3Xf
24Oz2UEmwkmbPonLQiK7reFuZ7gEURW95c2imEuJD8OzlKTfQq4yWg9L/B/HcAb8
Fvraa/vK/L2wgY2NrZFEvy/P5n4/1DSkstj5QGBXoynZMEvjgb+bDcJfsqxkMyQ0
8yBB/070Zi5dytwZRLevAiTJPQKBgQC6j7urJ883jXO2LWvUUbFBsjCIrrDBXe6p
Zpd16XF1pcav+3I/TrL2jMye7TpAr2JTAfRus4fEz72QgXbkEVJwF9YFTLT1x42f
qJtbt9xRMkBo5e1ASyWD/xnWBuLnf9VYVsH3KlFaLvdCdTO5Wov/aXnPVHUJ1uAB
VUgBaLKUEwKBgQCq1iYUJbW0H4t/emu2OgBjwTr2pWiXhN82M7waguos2C9YUbUD
7FmZXtmh1PS7jzuJFNaMkLlmQq4b/eOI7O2HEbo2cl/TGNgnFG2SJWvFmw6gNQUJ
a13mvZ7Vod2dOfU4AAQ6RWcBsAGSGRLUMhYuuEou/RN1XTHj0whsz7RW0QKBgQCc
3L2u64oP65+fThGcNBQWaPzl7/wumgxR4zD2s5HymbC1x3YIROO06i4ictTIDq9d
nAcqDUna8dEx76lHmkj2dxQ84IJHJcKuu9XlCHL20onVqX4S0Rx6H8RZcPDYNWPt
IwV0DODaMyMzfdg/wSJ1XvpMmXbPDxzKAirJBH8igQKBgBoGcYT1+w13C7i935ea
T96cYnTWKpwXpBtYJ1elDmMsYf/bjS/wvTqkUhGg/R9fuHKpm9LGWJe+9CYWX73D
Pl5dexrT1NFvmFPnEa18CI5p7LsmRFlfbYWvPEjNx/yQkgZWHrA9A286P175wQwq
jARRWDLOwyutJFEU6JsG56dX
-----END PRIVATE KEY-----
`;
