/**
 * Every provider written as a definition, end to end as a user runs it: `whk listen --scheme
 * <name> --record`, then `whk send` (a valid sample event: 2xx), `whk send --wrong-secret`
 * (refused), `whk probe` (every check passes), and `whk replay --resign` of the recorded
 * delivery (2xx). The providers written as code have the same in their own test files.
 */
import { describe, expect, it } from 'vitest';
import { catalogueSchemes } from '../../src/providers/index.js';
import { shell } from '../reliability/_listen.js';

const KEY = Buffer.from('whk catalogue e2e key, 32 bytes!').toString('base64');
const SECRETS: Record<string, string> = {
  text: 'whk-e2e-s3cret-0123456789',
  whsec: `whsec_${KEY}`,
  base64: KEY,
  hex: Buffer.from(KEY, 'base64').toString('hex'),
};
const providers = catalogueSchemes().filter((s) => s.definition);

const SCRIPT = `
set -u
d=$(mktemp -d)
$WHK listen --port 0 --scheme "$S" --secret "$K" --json --record "$d/rec.ndjson" --ready-file "$d/url" --no-history > "$d/out.ndjson" 2> "$d/err" &
L=$!
for i in $(seq 200); do [ -s "$d/url" ] && break; sleep 0.05; done
U=$(cat "$d/url")
fail() { echo "FAILED: $1"; cat "$d/step" 2> /dev/null; kill -INT $L; exit 1; }
$WHK send "$U" --scheme "$S" --secret "$K" > "$d/step" 2>&1 || fail send
$WHK send "$U" --scheme "$S" --secret "$K" --wrong-secret > "$d/step" 2>&1 || fail wrong-secret
$WHK probe "$U" --scheme "$S" --secret "$K" > "$d/step" 2>&1 || fail probe
grep -m 1 '"reason":"ok"' "$d/rec.ndjson" > "$d/one.ndjson" || fail record
$WHK replay "$d/one.ndjson" --to "$U" --resign --scheme "$S" --secret "$K" > "$d/step" 2>&1 || fail replay
kill -INT $L; wait $L
echo "ok $(grep -c '"type":"event"' "$d/out.ndjson") events"
`;

describe.concurrent('every definition provider through listen, send, probe and replay --resign', () => {
  it.each(providers.map((s) => [s.name, SECRETS[s.keyKind ?? 'text']!] as const))('%s', async (name, secret) => {
    const r = await shell(SCRIPT, { S: name, K: secret }).done;
    expect(r.stdout + r.stderr, name).toMatch(/^ok \d+ events/m);
    expect(r.code).toBe(0);
  }, 60_000);
});
