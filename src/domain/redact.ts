/**
 * Output tails end up in prompts, Gitea comments and logs, so anything that looks like a credential is masked:
 * the values of secret-named environment variables, `Authorization:` headers, bearer tokens, well-known key
 * formats, and `NAME=value` / `"name": "value"` pairs whose name says token, secret, key or password.
 */
const SECRET_NAME = /(TOKEN|SECRET|KEY|PASSWORD|PASSWD|CREDENTIAL)/i;
const MASK = '[REDACTED]';

const PATTERNS: RegExp[] = [
  /^(\s*authorization\s*[:=]\s*).+$/gim,
  /(\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  // The name must end with the secret word: `apiKey`, `GITEA_TOKEN`, but not `contextTokensUsed`.
  /(\b[A-Za-z0-9_]*(?:token|secret|key|password|passwd)["']?\s*[:=]\s*["']?)[^\s"',;]{4,}/gi,
];
const KNOWN_FORMATS: RegExp[] = [
  /sk-ant-[A-Za-z0-9_-]{8,}/g,
  /\bsk-[A-Za-z0-9_-]{16,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
  /\bglpat-[A-Za-z0-9_-]{16,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
];

/** Whether an environment variable's name says it holds a secret. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Pure: masks the given secret values and everything that looks like a credential. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(MASK);
  for (const pattern of PATTERNS) out = out.replace(pattern, (_match, prefix: string) => `${prefix}${MASK}`);
  for (const pattern of KNOWN_FORMATS) out = out.replace(pattern, MASK);
  return out;
}
