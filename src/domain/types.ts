/**
 * The shared vocabulary of the coordinator. Pure data: every type here crosses the workflow/activity boundary,
 * so it must stay JSON-serialisable (no Dates, Maps or class instances).
 */
import type { IssueKey } from './issue-key';

export type { IssueKey } from './issue-key';

export const DIFFICULTIES = ['trivial', 'easy', 'medium', 'hard', 'expert'] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

/** What the coordinator knows of a Gitea issue at one moment. */
export interface IssueSnapshot {
  key: IssueKey;
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: 'open' | 'closed';
  assignees: string[];
  htmlUrl?: string;
  comments?: string[];
}

/** Parsed issue metadata: the output of the LLM parser or of the heuristic one. */
export interface IssueMetadata {
  estimatedContextTokens: number;
  /** `stated`: the issue said so; `estimated`: the documented formula filled it in. */
  contextSource: 'stated' | 'estimated' | 'model';
  difficulty: Difficulty;
  blockedBy: IssueKey[];
  blocks: IssueKey[];
  summary: string;
  acceptanceCriteria: string[];
  parser: 'anthropic' | 'heuristic';
  /** Why the heuristic parser answered instead of the model, when it did. */
  fallbackReason?: string;
  usage?: { inputTokens: number; outputTokens: number };
}

export const AGENT_DRIVERS = ['command', 'webhook', 'gitea-comment'] as const;
export type AgentDriver = (typeof AGENT_DRIVERS)[number];

export interface AgentSpec {
  name: string;
  driver: AgentDriver;
  contextWindow: number;
  capability: Difficulty;
  costRank: number;
  concurrency: number;
  /** `command` driver: argv, run in the workspace, prompt on stdin. */
  command?: string[];
  /** `webhook` driver: where the signed task is POSTed. */
  url?: string;
  /** `gitea-comment` driver: the Gitea user that is mentioned and whose `/done` counts. */
  giteaUser?: string;
}

export type Assignment =
  { ok: true; agent: string; budgetTokens: number; reason: string } | { ok: false; reason: string };

export const GATE_KINDS = ['build', 'lint', 'test', 'coverage'] as const;
export type GateKind = (typeof GATE_KINDS)[number];

/** `error`: the gate could not run or crashed; `timeout`: killed at its time limit. Only `passed` passes. */
export type GateStatus = 'passed' | 'failed' | 'error' | 'timeout' | 'skipped';

/** One finding a gate reported, e.g. a type error or a failing test. */
export interface GateFinding {
  file?: string;
  line?: number;
  column?: number;
  rule?: string;
  message: string;
}

export interface CoverageGap {
  file: string;
  percent: number;
  uncoveredLines: number[];
}

export interface CoverageSummary {
  percent: number;
  threshold: number;
  gaps: CoverageGap[];
}

export interface GateResult {
  gate: GateKind;
  status: GateStatus;
  exitCode: number | null;
  durationMs: number;
  command: string[];
  /** Bounded, redacted tail of stdout+stderr. */
  outputTail: string;
  /** One line for the gate table. */
  summary: string;
  findings: GateFinding[];
  coverage?: CoverageSummary;
}

export interface VerificationResult {
  passed: boolean;
  round: number;
  gates: GateResult[];
  startedAt: string;
  durationMs: number;
}
