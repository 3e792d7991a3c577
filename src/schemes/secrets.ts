import { privateKey, publicKey } from './ed25519.js';
import { WhkError } from '../errors.js';
import { mask } from './hmac.js';
import { isKeyPair, type Scheme, type Secret } from './types.js';

/**
 * Why `scheme` cannot use `secret` — one sentence naming the problem and the fix, never the
 * secret in full — or undefined when it can. `use` is 'sign' or 'verify' (the default): only
 * verifying accepts an Ed25519 public key.
 *
 * The secret goes through the scheme's own decoding rather than a copy of it: the scheme signs an
 * empty body with it, and for 'verify' judges that signature too. Whether a secret is the *right*
 * one is the verdict's business, not this function's.
 */
export function secretProblem(scheme: Scheme, secret: Secret, use: 'sign' | 'verify' = 'verify'): string | undefined {
  if (typeof secret === 'string' ? secret.trim() === '' : secret.length === 0) {
    return 'the secret is empty: pass the secret itself (an unset variable in --secret "$VAR"?)';
  }
  const url = 'https://example.com/webhooks';
  let headers: Record<string, string>;
  try {
    headers = scheme.sign({ body: '', secrets: [secret], timestamp: 1, id: 'msg_check', url });
  } catch (e) {
    // Verifying Ed25519 takes the public key, which signing refuses.
    if (use === 'verify' && isPublicKeyOnly(secret)) return undefined;
    // Other key pairs (RSA, ECDSA): the scheme's own key reading judges the public key, verifying
    // a signature made with its throwaway private key.
    if (use === 'verify' && isKeyPair(scheme.keyKind) && scheme.placeholderSecret) return verifyProblem(scheme, secret, scheme.placeholderSecret);
    return explain(scheme, secret, e);
  }
  if (use === 'sign') return undefined;
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  try {
    const v = scheme.verify({ body: Buffer.alloc(0), headers: lower, secrets: [secret], now: 1, tolerance: Number.POSITIVE_INFINITY, url });
    return !v.valid && v.reason === 'bad_secret' ? v.message : undefined;
  } catch (e) {
    return explain(scheme, secret, e);
  }
}

/**
 * Why `scheme` cannot verify with `secret` a delivery signed with `signer` (an empty one where
 * the scheme cannot sign an empty body); undefined when it can.
 */
function verifyProblem(scheme: Scheme, secret: Secret, signer: Secret): string | undefined {
  const url = 'https://example.com/webhooks';
  let body: Buffer = Buffer.alloc(0);
  let headers: Record<string, string> = {};
  try {
    const input = { body, secrets: [signer], timestamp: 1, id: 'msg_check', url };
    body = scheme.signBody ? scheme.signBody(input).body : body;
    headers = Object.fromEntries(Object.entries(scheme.sign({ ...input, body })).map(([k, v]) => [k.toLowerCase(), v]));
  } catch {
    // Judged on the empty delivery: the scheme reads its keys before the delivery.
  }
  try {
    const v = scheme.verify({ body, headers, secrets: [secret], now: 1, tolerance: Number.POSITIVE_INFINITY, url });
    return !v.valid && v.reason === 'bad_secret' ? v.message : undefined;
  } catch (e) {
    return explain(scheme, secret, e);
  }
}

/** The sentence for a secret the scheme's decoding threw on; undefined for errors about something else. */
function explain(scheme: Scheme, secret: Secret, e: unknown): string | undefined {
  if (e instanceof WhkError) {
    if (e.code !== 'bad_secret') return undefined;
    if (typeof secret === 'string' && /^[a-z]+_$/.test(secret.trim())) {
      return `the secret ${mask(secret)} has nothing after its ${secret.trim()} prefix: copy the whole secret from the provider's dashboard`;
    }
    return e.message;
  }
  return `${scheme.name} cannot use the secret ${mask(secret)} (${(e as Error).message}): give ${scheme.secretFormat}`;
}

/** An Ed25519 public key (PEM): what verifying needs and signing refuses. */
function isPublicKeyOnly(secret: Secret): boolean {
  try {
    privateKey(secret);
    return false;
  } catch {
    try {
      publicKey(secret);
      return true;
    } catch {
      return false;
    }
  }
}
