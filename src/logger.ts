import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** Paths whose values never reach a log line, wherever they appear in a logged object. */
const REDACTED_PATHS = [
  '*.secret',
  '*.token',
  '*.apiKey',
  '*.authorization',
  '*.signature',
  'headers.authorization',
  'headers["x-gitea-signature"]',
  'headers["x-hub-signature-256"]',
  'headers["x-api-key"]',
];

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', name = 'coordinator'): Logger {
  return pino({ name, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
}
