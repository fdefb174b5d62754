import { existsSync } from 'node:fs';
import { z } from 'zod';
import { thresholdProblem } from './domain/context-policy';

/**
 * Environment configuration, validated once at start-up. Every variable is listed with its default in
 * `.env.example` and the README. A bad value stops the process with one line naming the variable.
 */
const port = z.coerce.number().int().min(1).max(65535);
const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value));
const positiveInt = z.coerce.number().int().positive();
const booleanFlag = optionalString
  .pipe(z.enum(['true', 'false', '1', '0'], { error: "expected 'true' or 'false'" }).optional())
  .transform((value) => value === 'true' || value === '1');

/** Read by every Temporal connection, including the CLI commands that take only these from the environment. */
const temporalSecuritySchema = z.object({
  TEMPORAL_TLS: booleanFlag,
  TEMPORAL_TLS_CERT_PATH: optionalString,
  TEMPORAL_TLS_KEY_PATH: optionalString,
  TEMPORAL_API_KEY: optionalString,
});

/** How to reach a cluster behind TLS, mTLS or an API key (Temporal Cloud). All unset: plain gRPC. */
export interface TemporalSecurity {
  tls: boolean;
  clientCertPath: string | undefined;
  clientKeyPath: string | undefined;
  apiKey: string | undefined;
}

/** Where `npm run worker` serves the SDK's Prometheus metrics unless WORKER_METRICS_ADDRESS says otherwise. */
export const DEFAULT_WORKER_METRICS_ADDRESS = '0.0.0.0:9464';

export const envSchema = z.object({
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('issue-coordinator'),
  TEMPORAL_CLI_PATH: optionalString,
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_DB_FILE: z.string().min(1).default('.data/temporal.sqlite'),
  ...temporalSecuritySchema.shape,
  RECEIVER_HOST: z.string().min(1).default('0.0.0.0'),
  RECEIVER_PORT: port.default(8000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WEBHOOK_MAX_BODY_BYTES: positiveInt.default(1024 * 1024),
  GITEA_WEBHOOK_SECRET: optionalString,
  GITEA_WEBHOOK_SECRET_PREVIOUS: optionalString,
  GITEA_URL: optionalString.pipe(z.url().optional()),
  GITEA_TOKEN: optionalString,
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: optionalString.pipe(z.url().optional()),
  ANTHROPIC_MODEL: z.string().min(1).default('claude-sonnet-5-5'),
  ANTHROPIC_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  MAX_CONTINUATION_ROUNDS: positiveInt.default(5),
  COVERAGE_THRESHOLD: z.coerce.number().min(0).max(100).default(85),
  // Read by workflow code (msToNumber), where a bad value would fail every blocked issue's tasks forever.
  BLOCKER_RECHECK_INTERVAL: z
    .string()
    .trim()
    .regex(/^[1-9]\d*(s|m|h)$/, 'expected a duration such as 30s, 5m or 1h')
    .default('5m'),
  CONTEXT_COMPACT_AT: z.coerce.number().gt(0).max(1).default(0.8),
  CONTEXT_HANDOFF_AT: z.coerce.number().gt(0).max(1).default(0.95),
  RECONCILE_INTERVAL: z
    .string()
    .trim()
    .regex(/^(off|[1-9]\d*(s|m|h))$/, "expected a duration such as 30s, 5m or 1h, or 'off'")
    .default('5m'),
  COORDINATOR_CONFIG_FILE: optionalString,
  AGENT_WEBHOOK_SECRET: optionalString,
  WORKER_METRICS_ADDRESS: optionalString.pipe(
    z
      .string()
      .regex(/^(\[[\da-fA-F:.]+\]|[\d.]+):\d{1,5}$/, 'expected ip:port, e.g. 0.0.0.0:9464 or [::]:9464')
      .optional(),
  ),
});

type Env = z.infer<typeof envSchema>;

export interface Config {
  temporal: {
    /** Undefined: run the embedded dev server. */
    address: string | undefined;
    namespace: string;
    taskQueue: string;
    cliPath: string | undefined;
    devPort: number;
    uiPort: number;
    dbFile: string;
    security: TemporalSecurity;
  };
  receiver: { host: string; port: number; maxBodyBytes: number };
  logLevel: Env['LOG_LEVEL'];
  gitea: {
    url: string | undefined;
    token: string | undefined;
    webhookSecrets: string[];
  };
  anthropic: { apiKey: string | undefined; baseURL: string | undefined; model: string; maxRetries: number };
  workflow: {
    maxContinuationRounds: number;
    coverageThreshold: number;
    blockerRecheckInterval: string;
    /** Context-window fractions: tell the agent to compact; replace its session with a fresh one. */
    contextCompactAt: number;
    contextHandoffAt: number;
  };
  /** Period of the reconciliation Schedule (`5m`); undefined: RECONCILE_INTERVAL=off, no schedule. */
  reconcile: { interval: string | undefined };
  configFile: string | undefined;
  /** HMAC-SHA256 key that signs the tasks POSTed to `webhook` agents. */
  agents: { webhookSecret: string | undefined };
  /** Prometheus `/metrics` of the worker; unset: `npm run worker` serves 0.0.0.0:9464, `npm start` none. */
  workerMetricsAddress: string | undefined;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`invalid configuration: ${variable}: ${detail}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(String(issue.path[0] ?? 'environment'), issue.message);
  }
  const e = parsed.data;
  const security = loadTemporalSecurity(env);
  if (security.tls && !e.TEMPORAL_ADDRESS) {
    throw new ConfigError(
      'TEMPORAL_ADDRESS',
      'must be set with TLS or an API key: the embedded dev server speaks plain gRPC',
    );
  }
  if (e.GITEA_WEBHOOK_SECRET_PREVIOUS && !e.GITEA_WEBHOOK_SECRET) {
    throw new ConfigError('GITEA_WEBHOOK_SECRET', 'must be set when GITEA_WEBHOOK_SECRET_PREVIOUS is set');
  }
  const contextProblem = thresholdProblem({ compactAt: e.CONTEXT_COMPACT_AT, handoffAt: e.CONTEXT_HANDOFF_AT });
  if (contextProblem) throw new ConfigError('CONTEXT_COMPACT_AT', contextProblem);
  return {
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      cliPath: e.TEMPORAL_CLI_PATH,
      devPort: e.TEMPORAL_DEV_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
      dbFile: e.TEMPORAL_DB_FILE,
      security,
    },
    receiver: { host: e.RECEIVER_HOST, port: e.RECEIVER_PORT, maxBodyBytes: e.WEBHOOK_MAX_BODY_BYTES },
    logLevel: e.LOG_LEVEL,
    gitea: {
      url: e.GITEA_URL,
      token: e.GITEA_TOKEN,
      webhookSecrets: [e.GITEA_WEBHOOK_SECRET, e.GITEA_WEBHOOK_SECRET_PREVIOUS].filter((s): s is string => !!s),
    },
    anthropic: {
      apiKey: e.ANTHROPIC_API_KEY,
      baseURL: e.ANTHROPIC_BASE_URL,
      model: e.ANTHROPIC_MODEL,
      maxRetries: e.ANTHROPIC_MAX_RETRIES,
    },
    workflow: {
      maxContinuationRounds: e.MAX_CONTINUATION_ROUNDS,
      coverageThreshold: e.COVERAGE_THRESHOLD,
      blockerRecheckInterval: e.BLOCKER_RECHECK_INTERVAL,
      contextCompactAt: e.CONTEXT_COMPACT_AT,
      contextHandoffAt: e.CONTEXT_HANDOFF_AT,
    },
    reconcile: { interval: e.RECONCILE_INTERVAL === 'off' ? undefined : e.RECONCILE_INTERVAL },
    configFile: e.COORDINATOR_CONFIG_FILE,
    agents: { webhookSecret: e.AGENT_WEBHOOK_SECRET },
    workerMetricsAddress: e.WORKER_METRICS_ADDRESS,
  };
}

/** The TLS part of the environment; throws ConfigError. An API key or a client certificate implies TLS. */
export function loadTemporalSecurity(env: NodeJS.ProcessEnv): TemporalSecurity {
  const parsed = temporalSecuritySchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(String(issue.path[0] ?? 'environment'), issue.message);
  }
  const e = parsed.data;
  if (!e.TEMPORAL_TLS_CERT_PATH !== !e.TEMPORAL_TLS_KEY_PATH) {
    const missing = e.TEMPORAL_TLS_CERT_PATH ? 'TEMPORAL_TLS_KEY_PATH' : 'TEMPORAL_TLS_CERT_PATH';
    throw new ConfigError(missing, 'TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together (mTLS)');
  }
  for (const variable of ['TEMPORAL_TLS_CERT_PATH', 'TEMPORAL_TLS_KEY_PATH'] as const) {
    const path = e[variable];
    if (path && !existsSync(path)) throw new ConfigError(variable, `no such file: ${path}`);
  }
  return {
    tls: e.TEMPORAL_TLS || !!e.TEMPORAL_API_KEY || !!e.TEMPORAL_TLS_CERT_PATH,
    clientCertPath: e.TEMPORAL_TLS_CERT_PATH,
    clientKeyPath: e.TEMPORAL_TLS_KEY_PATH,
    apiKey: e.TEMPORAL_API_KEY,
  };
}

/** For entry points: load the config or exit with one clear line. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  if (env === process.env) loadDotEnv();
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** Loads `.env` from the working directory into process.env, when there is one; real env vars win. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
