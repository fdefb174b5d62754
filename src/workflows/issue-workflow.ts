import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  continueAsNew,
  isCancellation,
  log,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import type { DispatchReceipt } from '../activities/contract';
import { rememberKey } from '../domain/bounded-keys';
import {
  compactStillRequested,
  decideContextAction,
  DEFAULT_CONTEXT_THRESHOLDS,
  renderCompactInstruction,
  renderHandoffPrompt,
  type ContextThresholds,
  type ContextUsage,
} from '../domain/context-policy';
import { renderContinuationPrompt } from '../domain/continuation-prompt';
import { describeCycle, edgesFromMetadata, findDependencyCycle } from '../domain/dependency-cycle';
import { renderIssueDetails } from '../domain/issue-details';
import { renderTaskPrompt } from '../domain/task-prompt';
import type { GateResult, IssueKey, IssueMetadata, IssueSnapshot, VerificationResult } from '../domain/types';
import { aggregateVerification, gateErrorResult } from '../domain/verification';
import {
  AssignedAgentAttr,
  BlockedByAttr,
  ContinuationRoundAttr,
  IssueKeyAttr,
  IssuePhaseAttr,
  IssueRepoAttr,
} from '../temporal/search-attributes';
import { ACTIVITY_OPTIONS, activities, shortStep } from './activity-options';
import {
  blockerClosedSignal,
  claimCompletionUpdate,
  contextUsageSignal,
  issueChangedSignal,
  issueClosedSignal,
  resumeSignal,
  statusQuery,
  type ClaimVerdict,
  type CompletionClaim,
  type IssuePhase,
  type IssueStatus,
} from './messages';

export const DEFAULT_MAX_ROUNDS = 5;
/** Mirrors the BLOCKER_RECHECK_INTERVAL default of src/config.ts; the starter may pass the configured value. */
export const DEFAULT_BLOCKER_RECHECK_INTERVAL = '5m';
/** How many signal dedupe keys are remembered (and carried across continue-as-new). */
export const SEEN_KEYS_LIMIT = 500;

export type EscalationKind = 'rounds' | 'no-agent' | 'cycle' | 'parse-failed' | 'dispatch-failed' | 'gates-failed';

/** Everything the lifecycle knows; JSON, so continue-as-new can carry it whole. */
export interface IssueWorkflowState {
  issue: IssueSnapshot;
  phase: IssuePhase;
  metadata?: IssueMetadata;
  needsParse: boolean;
  agent?: string;
  budgetTokens?: number;
  openBlockers: IssueKey[];
  /** Blockers known closed (by signal or re-check), so a re-parse does not revive them. */
  closedBlockers: IssueKey[];
  /** Workflow time (ms) of the last blocker re-check. */
  lastRecheckAt?: number;
  paused: boolean;
  passed: boolean;
  escalation?: { kind: EscalationKind; reason: string };
  /** Attempts start at 1; round 1 gets the task prompt, later rounds the continuation prompt. */
  round: number;
  maxRounds: number;
  /** The round whose dispatch the agent has acknowledged; a different `round` means dispatch is due. */
  dispatchedRound?: number;
  dispatchCount: number;
  /** The agent's work for this round is in; the gates are to run (again, after a resumed gate-planning failure). */
  verifyDue?: boolean;
  pendingPrompt?: string;
  lastVerification?: VerificationResult;
  contextUsage?: { usedTokens: number; windowTokens: number };
  /** The current session was told to compact and has not reported usage below the threshold since. */
  compactRequested?: boolean;
  /** Prepended to the next prompt the agent gets (a compact instruction a running session could not be sent). */
  contextNotice?: string;
  /** The prompt of the next dispatch when it is not the round's usual one (a hand-off or compact instruction). */
  nextPrompt?: string;
  contextHandoffs?: number;
  seenKeys: string[];
}

/** `{ issue }` is enough to start; the rest is for tuning and for continue-as-new. */
export interface IssueWorkflowInput {
  issue: IssueSnapshot;
  /** Verification rounds before escalation; also what `resume` grants by default. Default 5. */
  maxRounds?: number;
  /** Period of the blocker re-check, e.g. `5m`. Default BLOCKER_RECHECK_INTERVAL's default. */
  blockerRecheckInterval?: Duration;
  /** Context-window fraction at which the agent is told to compact. Default 0.8 (CONTEXT_COMPACT_AT). */
  contextCompactAt?: number;
  /** Fraction at which its session is replaced by a fresh one. Default 0.95 (CONTEXT_HANDOFF_AT). */
  contextHandoffAt?: number;
  /** Present only when continued-as-new. */
  state?: IssueWorkflowState;
}

const INTERRUPTED = Symbol('interrupted');
type Interruptible = { scope: CancellationScope; pausable: boolean };
/** An activity that failed after its retries: the workflow escalates or carries on, it never fails for it. */
class GaveUp {
  constructor(readonly message: string) {}
}
/** A dispatch in flight (a `command` agent's whole session) and, once it settled, how. */
type AgentRun = {
  scope: CancellationScope;
  round: number;
  outcome?: { receipt: DispatchReceipt } | { error: unknown };
};

/** One durable lifecycle per issue; the workflow id is the issue key. */
export async function issueWorkflow(input: IssueWorkflowInput): Promise<IssueStatus> {
  const defaultMaxRounds = input.maxRounds ?? DEFAULT_MAX_ROUNDS;
  const recheckInterval = input.blockerRecheckInterval ?? DEFAULT_BLOCKER_RECHECK_INTERVAL;
  const contextThresholds: ContextThresholds = {
    compactAt: input.contextCompactAt ?? DEFAULT_CONTEXT_THRESHOLDS.compactAt,
    handoffAt: input.contextHandoffAt ?? DEFAULT_CONTEXT_THRESHOLDS.handoffAt,
  };
  const s: IssueWorkflowState = input.state ?? {
    issue: input.issue,
    phase: 'parsing',
    needsParse: true,
    openBlockers: [],
    closedBlockers: [],
    paused: false,
    passed: false,
    round: 1,
    maxRounds: defaultMaxRounds,
    dispatchCount: 0,
    seenKeys: [],
  };
  const issueKey = s.issue.key;
  let closed = false;
  let finished = false;
  let claimCount = 0;
  let pendingClaim: { id: number; claim: CompletionClaim } | undefined;
  const verdicts = new Map<number, ClaimVerdict>();
  const inFlight = new Set<Interruptible>();
  let agentRun: AgentRun | undefined;
  /** Ends the agent's session: it was unassigned, it passed, or a human must step in. */
  const stopAgentRun = () => {
    agentRun?.scope.cancel();
    agentRun = undefined;
  };

  const status = (): IssueStatus => ({
    issueKey,
    phase: s.phase,
    agent: s.agent,
    openBlockers: [...s.openBlockers],
    round: s.round,
    maxRounds: s.maxRounds,
    metadata: s.metadata,
    lastVerification: s.lastVerification,
    note: s.escalation?.reason,
    ...(s.contextUsage ? { contextUsage: s.contextUsage } : {}),
    ...(s.contextHandoffs ? { contextHandoffs: s.contextHandoffs } : {}),
  });
  const refreshDetails = () =>
    setCurrentDetails(
      renderIssueDetails({
        ...status(),
        title: s.issue.title,
        contextUsage: s.contextUsage,
        verification: s.lastVerification,
      }),
    );
  const enter = (phase: IssuePhase) => {
    if (s.phase !== phase) upsertSearchAttributes([{ key: IssuePhaseAttr, value: phase }]);
    s.phase = phase;
    refreshDetails();
  };
  const setBlockers = (blockers: IssueKey[]) => {
    s.openBlockers = blockers;
    upsertSearchAttributes([{ key: BlockedByAttr, value: blockers.length > 0 ? blockers : null }]);
    refreshDetails();
  };
  /** Best effort: an unreachable Gitea must not end the lifecycle; the next report carries the state again. */
  const report = async (note?: string) => {
    try {
      await activities.reportStatus({
        issue: s.issue,
        phase: s.phase,
        agent: s.agent,
        openBlockers: s.openBlockers,
        round: s.round,
        maxRounds: s.maxRounds,
        verification: s.lastVerification,
        note,
      });
    } catch (error) {
      if (isCancellation(error)) throw error;
      log.warn('status report failed', { issueKey, phase: s.phase, error: messageOf(error) });
    }
  };
  /** True once per dedupe key: replays and redeliveries of a signal have one effect. */
  const firstTime = (dedupeKey: string | undefined): boolean => {
    if (dedupeKey === undefined) return true;
    if (s.seenKeys.includes(dedupeKey)) return false;
    s.seenKeys = rememberKey(s.seenKeys, dedupeKey, SEEN_KEYS_LIMIT);
    return true;
  };
  const interrupt = (pausing: boolean) => {
    for (const entry of inFlight) if (!pausing || entry.pausable) entry.scope.cancel();
  };
  /** Runs `fn` so that a close (or, if pausable, an unassignment) cancels it; a workflow cancel still throws. */
  const interruptible = async <T>(pausable: boolean, fn: () => Promise<T>): Promise<T | typeof INTERRUPTED> => {
    const entry = { scope: new CancellationScope(), pausable };
    inFlight.add(entry);
    try {
      return await entry.scope.run(fn);
    } catch (error) {
      if (isCancellation(error) && !CancellationScope.current().consideredCancelled) return INTERRUPTED;
      throw error;
    } finally {
      inFlight.delete(entry);
      // Nothing `fn` started may outlive it.
      entry.scope.cancel();
    }
  };
  const attempt = async <T>(fn: () => Promise<T>): Promise<T | typeof INTERRUPTED | GaveUp> => {
    try {
      return await interruptible(false, fn);
    } catch (error) {
      if (isCancellation(error)) throw error;
      return new GaveUp(messageOf(error));
    }
  };
  const continueAsNewDue = () => workflowInfo().continueAsNewSuggested;

  setHandler(statusQuery, status);
  setHandler(issueChangedSignal, ({ dedupeKey, change, issue }) => {
    if (!firstTime(dedupeKey) || finished) return;
    s.issue = { ...issue, key: issueKey };
    if (change === 'unassigned' && issue.assignees.length === 0) {
      s.paused = true;
      s.dispatchedRound = undefined;
      interrupt(true);
      stopAgentRun();
    } else if (change === 'assigned') {
      s.paused = false;
    } else if (change === 'edited' || change === 'labeled') {
      // Labels carry facts too (`difficulty/hard` wins over the parser's guess).
      s.needsParse = true;
    }
    refreshDetails();
  });
  setHandler(issueClosedSignal, ({ dedupeKey, issue }) => {
    if (!firstTime(dedupeKey)) return;
    if (issue) s.issue = { ...issue, key: issueKey };
    closed = true;
    interrupt(false);
  });
  setHandler(blockerClosedSignal, ({ dedupeKey, blocker }) => {
    if (!firstTime(dedupeKey)) return;
    if (!s.closedBlockers.includes(blocker)) s.closedBlockers = [...s.closedBlockers, blocker];
    if (s.openBlockers.includes(blocker)) setBlockers(s.openBlockers.filter((key) => key !== blocker));
  });
  setHandler(resumeSignal, ({ dedupeKey, extraRounds }) => {
    if (!firstTime(dedupeKey) || !s.escalation) return;
    if (s.escalation.kind === 'rounds') {
      s.maxRounds = s.round + Math.max(1, extraRounds ?? defaultMaxRounds);
      s.round += 1;
      upsertSearchAttributes([{ key: ContinuationRoundAttr, value: s.round - 1 }]);
    }
    if (s.escalation.kind === 'parse-failed') s.needsParse = true;
    if (s.escalation.kind === 'gates-failed') s.verifyDue = true;
    s.escalation = undefined;
  });
  const recordContextUsage = (usage: ContextUsage) => {
    s.contextUsage = { usedTokens: usage.usedTokens, windowTokens: usage.windowTokens };
    if (s.compactRequested) s.compactRequested = compactStillRequested(usage, contextThresholds);
    refreshDetails();
  };
  const contextAction = () => decideContextAction(s.contextUsage, contextThresholds, s.compactRequested ?? false);
  setHandler(contextUsageSignal, ({ dedupeKey, usedTokens, windowTokens }) => {
    if (!firstTime(dedupeKey)) return;
    recordContextUsage({ usedTokens, windowTokens });
  });
  setHandler(
    claimCompletionUpdate,
    async (claim): Promise<ClaimVerdict> => {
      const id = ++claimCount;
      pendingClaim = { id, claim };
      if (claim.contextUsage) recordContextUsage(claim.contextUsage);
      await condition(() => verdicts.has(id) || finished || (s.phase !== 'verifying' && pendingClaim?.id !== id));
      const verdict = verdicts.get(id);
      verdicts.delete(id);
      if (!verdict) {
        throw ApplicationFailure.nonRetryable(`the claim was not verified: the issue is ${s.phase}`, 'ClaimAbandoned');
      }
      return verdict;
    },
    {
      validator: (claim: CompletionClaim) => {
        // A running session may claim again before the workflow, still reporting the last verdict, is back to
        // `working`: its next claim is accepted and verified as soon as it is.
        const sessionBetweenRounds = s.phase === 'continuing' && agentRun !== undefined;
        if (s.phase !== 'working' && !sessionBetweenRounds) {
          throw new Error(`claims are accepted only while working; the issue is ${s.phase}`);
        }
        if (pendingClaim) throw new Error('a completion claim is already being verified');
        if (claim.agent !== undefined && claim.agent !== s.agent) {
          throw new Error(`${claim.agent} is not the agent assigned to this issue`);
        }
      },
    },
  );

  const escalate = async (kind: EscalationKind, reason: string) => {
    stopAgentRun();
    s.escalation = { kind, reason };
    enter('escalated');
    await report(`Escalated: ${reason}`);
  };

  const parse = async () => {
    enter('parsing');
    s.needsParse = false;
    const metadata = await attempt(() => activities.parseIssue({ issue: s.issue }));
    if (metadata === INTERRUPTED) return;
    if (metadata instanceof GaveUp)
      return escalate('parse-failed', `the issue could not be parsed: ${metadata.message}`);
    s.metadata = metadata;
    setBlockers(metadata.blockedBy.filter((key) => !s.closedBlockers.includes(key)));
    if (s.escalation?.kind === 'cycle' || s.escalation?.kind === 'no-agent') s.escalation = undefined;
    const cycle = findDependencyCycle(issueKey, edgesFromMetadata(issueKey, metadata));
    if (cycle) await escalate('cycle', describeCycle(cycle));
  };

  const assign = async () => {
    enter('assigning');
    const assignment = await attempt(() => shortStep('assignAgent')({ issueKey, metadata: s.metadata! }));
    if (assignment === INTERRUPTED) return;
    if (assignment instanceof GaveUp) return escalate('no-agent', `assignment failed: ${assignment.message}`);
    if (!assignment.ok) return escalate('no-agent', `no agent fits: ${assignment.reason}`);
    s.agent = assignment.agent;
    s.budgetTokens = assignment.budgetTokens;
    upsertSearchAttributes([{ key: AssignedAgentAttr, value: assignment.agent }]);
    refreshDetails();
  };

  /** Waits for blockers to close, asking Gitea every `recheckInterval` in case a signal was missed. */
  const waitForBlockers = async () => {
    const entering = s.phase !== 'blocked';
    enter('blocked');
    // The issue shows who it waits for (comment and `coordinator/blocked` label) from the moment it waits.
    if (entering) await report();
    const intervalMs = msToNumber(recheckInterval);
    if (s.lastRecheckAt === undefined || Date.now() - s.lastRecheckAt >= intervalMs) {
      const states = await attempt(() => activities.fetchIssueStates({ keys: s.openBlockers }));
      if (states === INTERRUPTED) return;
      s.lastRecheckAt = Date.now();
      if (states instanceof GaveUp) {
        log.warn('blocker re-check failed; retrying at the next interval', { issueKey, error: states.message });
        return;
      }
      const done = s.openBlockers.filter((key) => states[key] === 'closed' || states[key] === 'missing');
      s.closedBlockers = [...s.closedBlockers, ...done.filter((key) => !s.closedBlockers.includes(key))];
      setBlockers(s.openBlockers.filter((key) => !done.includes(key)));
    }
    const remaining = Math.max(1, s.lastRecheckAt + intervalMs - Date.now());
    await condition(
      () => s.openBlockers.length === 0 || closed || s.paused || s.needsParse || continueAsNewDue(),
      remaining,
    );
  };

  const giveVerdict = (claimId: number | undefined, verdict: ClaimVerdict) => {
    if (claimId !== undefined) verdicts.set(claimId, verdict);
  };

  /** Runs every planned gate in parallel; a crashed gate is that gate's error, never the workflow's. */
  const runGates = async (round: number): Promise<VerificationResult> => {
    const startedAt = Date.now();
    const planned = await shortStep('planGates')({ issueKey });
    const settled = await Promise.allSettled(
      planned.map((gate) =>
        activities.runGate.executeWithOptions({ ...ACTIVITY_OPTIONS.runGate, summary: `gate: ${gate}` }, [
          { issueKey, gate, round },
        ]),
      ),
    );
    if (CancellationScope.current().consideredCancelled) throw new CancelledFailure('gates cancelled');
    const results: GateResult[] = settled.map((outcome, index) =>
      outcome.status === 'fulfilled' ? outcome.value : gateErrorResult(planned[index]!, outcome.reason),
    );
    return aggregateVerification({
      round,
      planned,
      results,
      startedAt: new Date(startedAt).toISOString(),
      durationMs: Date.now() - startedAt,
    });
  };

  const verify = async (claimId: number | undefined) => {
    enter('verifying');
    s.verifyDue = false;
    const round = s.round;
    let verification: VerificationResult | typeof INTERRUPTED;
    try {
      verification = await interruptible(false, () => runGates(round));
    } catch (error) {
      if (isCancellation(error)) throw error;
      pendingClaim = undefined;
      return escalate('gates-failed', `the gates could not be planned: ${messageOf(error)}`);
    } finally {
      if (pendingClaim?.id === claimId) pendingClaim = undefined;
    }
    if (verification === INTERRUPTED) return;
    s.lastVerification = verification;
    if (verification.passed) {
      stopAgentRun();
      s.passed = true;
      giveVerdict(claimId, { outcome: 'passed', verification });
      enter('passed');
      await report();
    } else if (round >= s.maxRounds) {
      giveVerdict(claimId, { outcome: 'escalated', verification });
      await escalate('rounds', `the gates still fail after ${round} of ${s.maxRounds} rounds`);
    } else {
      const prompt = renderContinuationPrompt({
        issueKey,
        title: s.issue.title,
        verification,
        round,
        maxRounds: s.maxRounds,
      });
      s.pendingPrompt = prompt;
      // The running session hears only its verdict: a compaction due now rides on it (a hand-off waits for work()).
      const toSession = claimId !== undefined && agentRun !== undefined;
      if (toSession && contextAction() === 'compact') applyContextPolicy();
      const notice = toSession ? takeContextNotice() : '';
      giveVerdict(claimId, { outcome: 'continue', verification, continuationPrompt: notice + prompt });
      enter('continuing');
      s.round = round + 1;
      // A running session got the prompt in the claim's verdict; anyone else gets it dispatched.
      if (claimId !== undefined && agentRun) s.dispatchedRound = s.round;
      upsertSearchAttributes([{ key: ContinuationRoundAttr, value: s.round - 1 }]);
      await report();
    }
  };

  /**
   * Starts the round's dispatch in the background: a `command` agent's session is this activity, and it keeps
   * running while its stop hook's claims are verified (a failed verdict hands it the continuation prompt).
   */
  const taskPrompt = () =>
    renderTaskPrompt({ issue: s.issue, metadata: s.metadata!, budgetTokens: s.budgetTokens, maxRounds: s.maxRounds });
  const takeContextNotice = () => {
    const notice = s.contextNotice;
    s.contextNotice = undefined;
    return notice ? `${notice}\n\n` : '';
  };

  /** Carries out what the context policy decides about the usage last reported. */
  const applyContextPolicy = () => {
    const action = contextAction();
    if (action === 'handoff') {
      stopAgentRun();
      s.contextHandoffs = (s.contextHandoffs ?? 0) + 1;
      s.nextPrompt = renderHandoffPrompt({
        issueKey,
        taskPrompt: taskPrompt(),
        round: s.round,
        maxRounds: s.maxRounds,
        ...(s.round > 1 && s.pendingPrompt ? { lastVerdictPrompt: s.pendingPrompt } : {}),
      });
      s.contextUsage = undefined;
      s.compactRequested = false;
      s.contextNotice = undefined;
      s.dispatchedRound = undefined;
      refreshDetails();
    } else if (action === 'compact') {
      s.compactRequested = true;
      const instruction = renderCompactInstruction(issueKey, s.contextUsage!);
      // A running session is reached only through its next verdict; a dispatch that is due carries it as well.
      if (agentRun || s.dispatchedRound !== s.round) {
        s.contextNotice = instruction;
      } else {
        s.nextPrompt = instruction;
        s.dispatchedRound = undefined;
      }
    }
  };

  const startDispatch = () => {
    const roundPrompt = s.nextPrompt ?? (s.round === 1 || !s.pendingPrompt ? taskPrompt() : s.pendingPrompt);
    const prompt = takeContextNotice() + roundPrompt;
    s.nextPrompt = undefined;
    s.dispatchCount += 1;
    s.dispatchedRound = s.round;
    const input = {
      issue: s.issue,
      agent: s.agent!,
      prompt,
      // The contract counts continuations: 0 carries the task prompt, n the n-th forced continuation.
      round: s.round - 1,
      dispatchId: `${issueKey}/round-${s.round}/dispatch-${s.dispatchCount}`,
    };
    const entry: Interruptible = { scope: new CancellationScope(), pausable: true };
    const run: AgentRun = { scope: entry.scope, round: s.round };
    inFlight.add(entry);
    agentRun = run;
    void entry.scope
      .run(() => activities.dispatchAgent(input))
      .then(
        (receipt) => (run.outcome = { receipt }),
        (error: unknown) => (run.outcome = { error }),
      )
      .finally(() => inFlight.delete(entry));
  };

  /** Dispatches the round's prompt unless the agent already has it, then waits for the completion claim. */
  const work = async () => {
    if (s.verifyDue) return verify(undefined);
    applyContextPolicy();
    const dispatching = !agentRun && s.dispatchedRound !== s.round;
    if (dispatching) startDispatch();
    const previous = s.phase;
    enter('working');
    // A fresh dispatch is news on the issue (which agent, which round), unless the continuation report just said so.
    if (dispatching && previous !== 'working' && previous !== 'continuing') await report();
    await condition(
      () =>
        pendingClaim !== undefined ||
        agentRun?.outcome !== undefined ||
        closed ||
        s.paused ||
        s.needsParse ||
        contextAction() !== 'none' ||
        (continueAsNewDue() && !agentRun),
    );
    if (closed) return;
    if (pendingClaim) return verify(pendingClaim.id);
    const run = agentRun;
    const outcome = run?.outcome;
    if (!run || !outcome) return;
    agentRun = undefined;
    if ('error' in outcome) {
      s.dispatchedRound = undefined;
      if (!isCancellation(outcome.error)) {
        return escalate('dispatch-failed', `the agent could not be dispatched: ${messageOf(outcome.error)}`);
      }
      if (CancellationScope.current().consideredCancelled) throw outcome.error;
      return;
    }
    const { contextTokensUsed, contextWindowTokens } = outcome.receipt;
    if (contextTokensUsed !== undefined && contextWindowTokens) {
      recordContextUsage({ usedTokens: contextTokensUsed, windowTokens: contextWindowTokens });
    }
    if (outcome.receipt.outcome === 'claimed') return verify(undefined);
    // Told and done, not a session: a verdict it raced with did not reach the agent, so dispatch that round.
    if (run.round !== s.round) s.dispatchedRound = run.round;
  };

  const finish = async (phase: 'closed' | 'cancelled', note: string): Promise<IssueStatus> => {
    finished = true;
    enter(phase);
    await report(note);
    // Pending claims have been answered (abandoned) by now; let their Updates complete before the run ends.
    await condition(allHandlersFinished);
    return status();
  };

  const lifecycle = async (): Promise<IssueStatus> => {
    upsertSearchAttributes([
      { key: IssueKeyAttr, value: issueKey },
      { key: IssueRepoAttr, value: `${s.issue.owner}/${s.issue.repo}`.toLowerCase() },
      { key: IssuePhaseAttr, value: s.phase },
      { key: ContinuationRoundAttr, value: s.round - 1 },
    ]);
    if (s.agent) upsertSearchAttributes([{ key: AssignedAgentAttr, value: s.agent }]);
    setBlockers(s.openBlockers);
    for (;;) {
      if (closed) return finish('closed', 'The issue was closed; in-flight work was cancelled.');
      if (continueAsNewDue() && !pendingClaim && !agentRun) {
        // A claim accepted meanwhile is verified first: its caller is waiting for the verdict.
        await condition(() => allHandlersFinished() || pendingClaim !== undefined);
        if (pendingClaim) continue;
        return continueAsNew<typeof issueWorkflow>({
          issue: s.issue,
          maxRounds: defaultMaxRounds,
          blockerRecheckInterval: recheckInterval,
          contextCompactAt: contextThresholds.compactAt,
          contextHandoffAt: contextThresholds.handoffAt,
          state: s,
        });
      }
      if (s.passed) {
        if (s.phase !== 'passed') enter('passed');
        await condition(() => closed || continueAsNewDue());
      } else if (s.needsParse) {
        // An edit re-parses even an escalated issue: a removed cycle or a smaller estimate may end the escalation.
        await parse();
      } else if (s.escalation) {
        if (s.phase !== 'escalated') enter('escalated');
        await condition(() => !s.escalation || closed || s.needsParse || continueAsNewDue());
      } else if (!s.metadata) {
        await parse();
      } else if (s.paused) {
        if (s.phase !== 'paused') {
          enter('paused');
          await report('The issue was unassigned; work is paused until it is assigned again.');
        }
        await condition(() => !s.paused || closed || s.needsParse || continueAsNewDue());
      } else if (!s.agent) {
        await assign();
      } else if (s.openBlockers.length > 0) {
        await waitForBlockers();
      } else {
        await work();
      }
    }
  };

  try {
    return await lifecycle();
  } catch (error) {
    if (isCancellation(error)) {
      await CancellationScope.nonCancellable(() => finish('cancelled', 'The workflow was cancelled.'));
    }
    throw error;
  }
}

function messageOf(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return (cause instanceof Error ? cause.message : String(cause)).slice(0, 500);
}
