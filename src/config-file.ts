import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AGENT_DRIVERS, DIFFICULTIES, GATE_KINDS } from './domain/types';

/**
 * The coordinator's file configuration (COORDINATOR_CONFIG_FILE, JSON): the agent pool, gate commands and the
 * repositories it serves. Everything here is trusted operator input, and still validated: a typo must fail loudly
 * at start-up, not at the first issue.
 */
const argv = z.array(z.string().min(1)).min(1);

export const agentSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
    driver: z.enum(AGENT_DRIVERS),
    contextWindow: z.number().int().positive(),
    capability: z.enum(DIFFICULTIES),
    costRank: z.number().int().min(0).default(0),
    concurrency: z.number().int().positive().default(1),
    command: argv.optional(),
    url: z.url().optional(),
    giteaUser: z.string().min(1).optional(),
  })
  .superRefine((agent, ctx) => {
    if (agent.driver === 'command' && !agent.command)
      ctx.addIssue({ code: 'custom', message: 'command driver needs "command"' });
    if (agent.driver === 'webhook' && !agent.url)
      ctx.addIssue({ code: 'custom', message: 'webhook driver needs "url"' });
    if (agent.driver === 'gitea-comment' && !agent.giteaUser)
      ctx.addIssue({ code: 'custom', message: 'gitea-comment driver needs "giteaUser"' });
  });

/**
 * A gate runs inside one runGate activity attempt, whose start-to-close timeout is 30 minutes
 * (src/workflows/activity-options.ts). The gate's own limit must end first, leaving room to kill its process group,
 * read the coverage report and return the result: otherwise Temporal times out the attempt and retries the gate
 * instead of reporting a timeout.
 */
export const MAX_GATE_TIMEOUT_SECONDS = 1_750;

export const gateCommandSchema = z.object({
  command: argv,
  timeoutSeconds: z.number().positive().max(MAX_GATE_TIMEOUT_SECONDS).default(600),
  /** Coverage gate: report file written by the command, relative to the workspace; else the usual places. */
  report: z
    .string()
    .min(1)
    .refine((path) => !path.startsWith('/') && !path.split(/[\\/]/).includes('..'), 'must stay inside the workspace')
    .optional(),
});

/** Per gate kind: a command, or `false` to turn that gate off. Unset kinds use the detected project defaults. */
export const gatesSchema = z.partialRecord(z.enum(GATE_KINDS), z.union([gateCommandSchema, z.literal(false)]));

export const repositorySchema = z.object({
  /** `owner/repo`. */
  name: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/),
  /** Checkout where agents work and gates run; default `<workspaces.root>/<owner>/<repo>`. */
  workspace: z.string().min(1).optional(),
  gates: gatesSchema.optional(),
});

export const coordinatorFileSchema = z.object({
  agents: z.array(agentSchema).default([]),
  /** Fraction of an agent's context window that the estimate may use. */
  contextBudgetFraction: z.number().gt(0).max(1).default(0.6),
  gates: gatesSchema.default({}),
  coverageThreshold: z.number().min(0).max(100).optional(),
  workspaces: z.object({ root: z.string().min(1).default('.data/workspaces') }).default({ root: '.data/workspaces' }),
  repositories: z.array(repositorySchema).default([]),
});

export type CoordinatorFile = z.infer<typeof coordinatorFileSchema>;
export type AgentConfig = z.infer<typeof agentSchema>;
export type GatesConfig = z.infer<typeof gatesSchema>;

export class ConfigFileError extends Error {
  override name = 'ConfigFileError';
}

export function parseCoordinatorFile(raw: unknown, source = 'configuration'): CoordinatorFile {
  const parsed = coordinatorFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigFileError(`invalid ${source}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

export function loadCoordinatorFile(path: string | undefined): CoordinatorFile {
  if (!path) return parseCoordinatorFile({});
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigFileError(`cannot read COORDINATOR_CONFIG_FILE=${path}: ${(error as Error).message}`);
  }
  return parseCoordinatorFile(raw, `COORDINATOR_CONFIG_FILE=${path}`);
}
