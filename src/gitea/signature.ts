import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Gitea signs every delivery with HMAC-SHA256 over the raw request body: `X-Gitea-Signature` carries bare
 * lowercase hex, `X-Hub-Signature-256` the same digest as `sha256=<hex>`. Pure: no I/O, no logging.
 */
export interface SignatureHeaders {
  giteaSignature?: string | string[] | undefined;
  hubSignature256?: string | string[] | undefined;
}

export type SignatureFailure = 'no-secret' | 'no-body' | 'missing' | 'empty' | 'malformed' | 'mismatch';
export type SignatureVerdict = { ok: true; secretIndex: number } | { ok: false; reason: SignatureFailure };

const HEX_DIGEST = /^[0-9a-f]{64}$/;
const HUB_PREFIX = 'sha256=';

export function signBody(body: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * Accepts the delivery when its signature matches any of `secrets` (current first, then the previous one during
 * a rotation). The header format is checked before any HMAC is computed; digests are compared in constant time.
 */
export function verifySignature(
  rawBody: Buffer | undefined,
  headers: SignatureHeaders,
  secrets: readonly string[],
): SignatureVerdict {
  const usable = secrets.filter((secret) => secret.length > 0);
  if (usable.length === 0) return { ok: false, reason: 'no-secret' };
  if (!Buffer.isBuffer(rawBody)) return { ok: false, reason: 'no-body' };
  const claimed = claimedDigest(headers);
  if (!claimed.ok) return claimed;
  const expectedFor = (secret: string) => Buffer.from(signBody(rawBody, secret), 'hex');
  let match = -1;
  // Every secret is checked even after a match, so timing does not reveal which one matched.
  usable.forEach((secret, index) => {
    if (timingSafeEqual(expectedFor(secret), claimed.digest) && match === -1) match = index;
  });
  return match === -1 ? { ok: false, reason: 'mismatch' } : { ok: true, secretIndex: match };
}

type ClaimedDigest = { ok: true; digest: Buffer } | { ok: false; reason: 'missing' | 'empty' | 'malformed' };

function claimedDigest(headers: SignatureHeaders): ClaimedDigest {
  const bare = single(headers.giteaSignature);
  const hub = single(headers.hubSignature256);
  if (bare === undefined && hub === undefined) return { ok: false, reason: 'missing' };
  if (bare === null || hub === null) return { ok: false, reason: 'malformed' };
  // Gitea sends both headers; the bare one wins, the prefixed one is the fallback (GitHub-compatible senders).
  if (bare !== undefined) {
    if (bare === '') return hub === undefined || hub === '' ? { ok: false, reason: 'empty' } : fromHub(hub);
    return HEX_DIGEST.test(bare) ? { ok: true, digest: Buffer.from(bare, 'hex') } : { ok: false, reason: 'malformed' };
  }
  return fromHub(hub!);
}

function fromHub(value: string): ClaimedDigest {
  if (value === '' || value === HUB_PREFIX) return { ok: false, reason: 'empty' };
  if (!value.startsWith(HUB_PREFIX)) return { ok: false, reason: 'malformed' };
  const hex = value.slice(HUB_PREFIX.length);
  return HEX_DIGEST.test(hex) ? { ok: true, digest: Buffer.from(hex, 'hex') } : { ok: false, reason: 'malformed' };
}

/** A header repeated in one request is ambiguous: `null`, treated as malformed. */
function single(value: string | string[] | undefined): string | undefined | null {
  if (Array.isArray(value)) return value.length === 1 ? value[0] : null;
  return value;
}
