/**
 * Every message of the issue workflow, declared once and imported by the workflow, the receiver, the CLI and the
 * tests. Names are what `temporal workflow signal|query|update --name …` uses.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { IssueKey, IssueMetadata, IssueSnapshot, VerificationResult } from '../domain/types';

export const ISSUE_PHASES = [
  'parsing',
  'assigning',
  'blocked',
  'working',
  'verifying',
  'continuing',
  'passed',
  'paused',
  'escalated',
  'closed',
  'cancelled',
] as const;
export type IssuePhase = (typeof ISSUE_PHASES)[number];

export type IssueChange = 'assigned' | 'unassigned' | 'edited' | 'reopened' | 'labeled';

/** Every signal carries a dedupe key derived from content, so replays and redeliveries have one effect. */
export interface IssueChangedSignal {
  dedupeKey: string;
  change: IssueChange;
  issue: IssueSnapshot;
}
export interface IssueClosedSignal {
  dedupeKey: string;
  issue?: IssueSnapshot;
}
export interface BlockerClosedSignal {
  dedupeKey: string;
  blocker: IssueKey;
}
export interface ResumeSignal {
  dedupeKey?: string;
  /** Rounds granted on top of those used; default: the configured bound. */
  extraRounds?: number;
  by?: string;
}
export interface ContextUsageSignal {
  dedupeKey?: string;
  usedTokens: number;
  windowTokens: number;
}

export interface CompletionClaim {
  /** When given, it must be the assigned agent, or the claim is rejected. */
  agent?: string;
  note?: string;
  /** The agent's context-window usage at the time of the claim, recorded like a `contextUsage` signal. */
  contextUsage?: { usedTokens: number; windowTokens: number };
}

export interface ClaimVerdict {
  /** `passed`: done; `continue`: the prompt says what to fix; `escalated`: a human must step in. */
  outcome: 'passed' | 'continue' | 'escalated';
  verification: VerificationResult;
  continuationPrompt?: string;
}

export interface IssueStatus {
  issueKey: IssueKey;
  phase: IssuePhase;
  agent?: string;
  openBlockers: IssueKey[];
  round: number;
  maxRounds: number;
  metadata?: IssueMetadata;
  lastVerification?: VerificationResult;
  note?: string;
  /** The assigned agent's last reported context-window usage (cleared when a fresh session takes over). */
  contextUsage?: { usedTokens: number; windowTokens: number };
  /** Sessions ended because their context window was nearly full. */
  contextHandoffs?: number;
}

export const issueChangedSignal = defineSignal<[IssueChangedSignal]>('issueChanged');
export const issueClosedSignal = defineSignal<[IssueClosedSignal]>('issueClosed');
export const blockerClosedSignal = defineSignal<[BlockerClosedSignal]>('blockerClosed');
export const resumeSignal = defineSignal<[ResumeSignal]>('resume');
export const contextUsageSignal = defineSignal<[ContextUsageSignal]>('contextUsage');
export const claimCompletionUpdate = defineUpdate<ClaimVerdict, [CompletionClaim]>('claimCompletion');
export const statusQuery = defineQuery<IssueStatus>('status');
