/**
 * The one typed interface between the issue workflow and the outside world. The workflow imports it with
 * `import type` only; `createActivities(deps)` implements it, and tests register their own implementations of it
 * on a real worker.
 */
import type {
  Assignment,
  GateKind,
  GateResult,
  IssueKey,
  IssueMetadata,
  IssueSnapshot,
  VerificationResult,
} from '../domain/types';
import type { IssuePhase } from '../workflows/messages';

export interface ParseIssueInput {
  issue: IssueSnapshot;
}

export interface AssignAgentInput {
  issueKey: IssueKey;
  metadata: IssueMetadata;
}

export interface IssueStatesInput {
  keys: IssueKey[];
}
export type IssueState = 'open' | 'closed' | 'missing';

export interface DispatchInput {
  issue: IssueSnapshot;
  agent: string;
  /** Task prompt for round 0, forced-continuation prompt afterwards. */
  prompt: string;
  round: number;
  /** Unique per dispatch: drivers use it to make redelivery idempotent. */
  dispatchId: string;
}

/**
 * `claimed`: the driver's own completion (a `command` agent exiting) is the completion claim.
 * `awaiting-claim`: the agent was told; its claim will arrive as the completion-claim Update.
 */
export interface DispatchReceipt {
  outcome: 'claimed' | 'awaiting-claim';
  detail?: string;
  contextTokensUsed?: number;
  /** The agent's configured context window, so the workflow can weigh `contextTokensUsed`. */
  contextWindowTokens?: number;
}

export interface PlanGatesInput {
  issueKey: IssueKey;
}

export interface RunGateInput {
  issueKey: IssueKey;
  gate: GateKind;
  round: number;
}

export interface StatusReport {
  issue: IssueSnapshot;
  phase: IssuePhase;
  agent?: string;
  openBlockers: IssueKey[];
  round: number;
  maxRounds: number;
  verification?: VerificationResult;
  /** Free text for escalations, cancellations and the like. */
  note?: string;
}

export interface CoordinatorActivities {
  parseIssue(input: ParseIssueInput): Promise<IssueMetadata>;
  assignAgent(input: AssignAgentInput): Promise<Assignment>;
  /** Asks Gitea for the state of each issue; repairs blocker signals that were missed. */
  fetchIssueStates(input: IssueStatesInput): Promise<Record<IssueKey, IssueState>>;
  dispatchAgent(input: DispatchInput): Promise<DispatchReceipt>;
  /** Which gates apply to this issue's workspace. */
  planGates(input: PlanGatesInput): Promise<GateKind[]>;
  runGate(input: RunGateInput): Promise<GateResult>;
  reportStatus(input: StatusReport): Promise<void>;
}

/** What one reconciliation pass did; the reconcile workflow returns it (visible in the Web UI). */
export interface ReconcileReport {
  repositories: number;
  /** Issue workflows started for open, assigned issues that had none (a lost `assigned` webhook). */
  started: IssueKey[];
  /** Running workflows told that their issue is closed or deleted (a lost `closed` webhook). */
  closed: IssueKey[];
  skipped: { issueKey?: IssueKey; reason: string }[];
}

/** Run by the reconcile workflow on a Temporal Schedule, not by the issue workflow. */
export interface ReconcileActivities {
  reconcileIssues(): Promise<ReconcileReport>;
}
