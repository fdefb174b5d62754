import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { gateCommandSchema, type GatesConfig } from '../config-file';
import { GATE_KINDS, type GateKind } from '../domain/types';
import { defaultGates, detectProject, toolOf, type GateTool, type ProjectKind } from './detect';

/** The per-repository gate file, committed in the repository and read from the issue's workspace. */
export const REPO_CONFIG_FILE = '.coordinator.json';

/**
 * The workspace is where the agent works, so this file is agent-writable: it may fill in commands for the gates the
 * operator did not configure and raise the coverage threshold, but it cannot replace an operator's gate, turn a gate
 * off or lower the threshold (only COORDINATOR_CONFIG_FILE can).
 */
export const repoGatesFileSchema = z.strictObject({
  gates: z.partialRecord(z.enum(GATE_KINDS), z.strictObject(gateCommandSchema.shape)).optional(),
  coverageThreshold: z.number().min(0).max(100).optional(),
});
export type RepoGatesFile = z.infer<typeof repoGatesFileSchema>;

export class GateConfigError extends Error {
  override name = 'GateConfigError';
}

export function loadRepoGatesFile(dir: string): RepoGatesFile {
  const path = join(dir, REPO_CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return {};
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new GateConfigError(`${REPO_CONFIG_FILE}: not JSON: ${(error as Error).message}`);
  }
  const parsed = repoGatesFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new GateConfigError(`${REPO_CONFIG_FILE}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

export interface PlannedGate {
  gate: GateKind;
  /** Empty when `unavailable`. */
  command: string[];
  timeoutMs: number;
  tool: GateTool;
  report?: string;
  source: 'default' | 'operator' | 'repository-file';
  /** No command could be found for this kind: the gate reports this as an `error` instead of running. */
  unavailable?: string;
}

export interface GatePlan {
  dir: string;
  project: ProjectKind;
  coverageThreshold: number;
  gates: PlannedGate[];
}

export interface OperatorGates {
  /** COORDINATOR_CONFIG_FILE `gates`. */
  global?: GatesConfig;
  /** COORDINATOR_CONFIG_FILE `repositories[].gates` for this workspace's repository. */
  repository?: GatesConfig;
  coverageThreshold: number;
  defaultTimeoutSeconds?: number;
}

/**
 * Precedence per gate kind: the operator's repository entry, then the operator's global gates, then the workspace's
 * agent-writable `.coordinator.json`, then the detected defaults. `false` (operator only) removes the gate.
 */
export function planGates(dir: string, operator: OperatorGates): GatePlan {
  const project = detectProject(dir);
  const defaults = defaultGates(dir, project);
  const repoFile = loadRepoGatesFile(dir);
  const defaultTimeoutMs = (operator.defaultTimeoutSeconds ?? 600) * 1000;
  const gates: PlannedGate[] = [];
  for (const gate of GATE_KINDS) {
    const layers = [
      ['operator', operator.repository?.[gate]],
      ['operator', operator.global?.[gate]],
      ['repository-file', repoFile.gates?.[gate]],
    ] as const;
    const chosen = layers.find(([, value]) => value !== undefined);
    if (chosen?.[1] === false) continue;
    if (chosen?.[1]) {
      const config = chosen[1];
      gates.push({
        gate,
        command: config.command,
        timeoutMs: config.timeoutSeconds * 1000,
        tool: toolOf(config.command),
        ...(config.report ? { report: config.report } : {}),
        source: chosen[0],
      });
      continue;
    }
    const fallback = defaults[gate];
    gates.push(
      'unavailable' in fallback
        ? { gate, command: [], tool: 'generic', timeoutMs: 0, source: 'default', unavailable: fallback.unavailable }
        : { gate, ...fallback, timeoutMs: defaultTimeoutMs, source: 'default' },
    );
  }
  const coverageThreshold = Math.max(operator.coverageThreshold, repoFile.coverageThreshold ?? 0);
  return { dir, project, coverageThreshold, gates };
}
