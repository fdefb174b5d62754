import { verifySignature, type SignatureFailure } from '../gitea/signature';
import { SIGNATURE_HEADER, signBody } from './webhook';

/**
 * How a `webhook` agent authenticates its completion claim (`POST /agents/claim`): the same HMAC-SHA256 with
 * AGENT_WEBHOOK_SECRET that signs its tasks, but over `<unix seconds>.<raw body>`, with the seconds in
 * `X-Coordinator-Timestamp`. A captured request is refused once it is more than MAX_CLAIM_SKEW_MS old; within that
 * window a verbatim replay maps to the same Update id, so it returns the first verdict instead of claiming again.
 */
export const CLAIM_SIGNATURE_HEADER = SIGNATURE_HEADER;
export const CLAIM_TIMESTAMP_HEADER = 'X-Coordinator-Timestamp';
export const MAX_CLAIM_SKEW_MS = 5 * 60_000;

export type ClaimSignatureFailure = SignatureFailure | 'no-timestamp' | 'stale-timestamp';
export type ClaimSignatureVerdict = { ok: true } | { ok: false; reason: ClaimSignatureFailure };

const SECONDS = /^\d{1,12}$/;

function signedMaterial(timestamp: string, rawBody: Buffer | string): Buffer {
  return Buffer.concat([Buffer.from(`${timestamp}.`), Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody)]);
}

/** The two headers a claim needs; `nowMs` is injectable for tests of the time window. */
export function signClaim(rawBody: string, secret: string, nowMs = Date.now()): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    [CLAIM_TIMESTAMP_HEADER]: timestamp,
    [CLAIM_SIGNATURE_HEADER]: signBody(signedMaterial(timestamp, rawBody).toString('utf8'), secret),
  };
}

/** Constant-time check (through verifySignature) of `sha256=<hex>`, after the cheap timestamp checks. */
export function verifyClaimSignature(
  rawBody: Buffer | undefined,
  headers: { signature: string | string[] | undefined; timestamp: string | string[] | undefined },
  secret: string | undefined,
  nowMs = Date.now(),
): ClaimSignatureVerdict {
  if (!secret) return { ok: false, reason: 'no-secret' };
  if (!Buffer.isBuffer(rawBody)) return { ok: false, reason: 'no-body' };
  const timestamp = headers.timestamp;
  if (typeof timestamp !== 'string' || !SECONDS.test(timestamp)) return { ok: false, reason: 'no-timestamp' };
  if (Math.abs(nowMs - Number(timestamp) * 1000) > MAX_CLAIM_SKEW_MS) return { ok: false, reason: 'stale-timestamp' };
  const verdict = verifySignature(
    signedMaterial(timestamp, rawBody),
    { hubSignature256: headers.signature ?? undefined },
    [secret],
  );
  return verdict.ok ? { ok: true } : verdict;
}
