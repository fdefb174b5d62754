import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { ConfigError } from '../../src/config';
import type { IssueSnapshot } from '../../src/domain/types';
import {
  AssignedAgentAttr,
  BlockedByAttr,
  ContinuationRoundAttr,
  IssuePhaseAttr,
} from '../../src/temporal/search-attributes';
import type { IssueWorkflowInput } from '../../src/workflows/issue-workflow';
import {
  blockerClosedSignal,
  claimCompletionUpdate,
  issueChangedSignal,
  issueClosedSignal,
  resumeSignal,
  statusQuery,
  type IssuePhase,
} from '../../src/workflows/messages';
import { testServer, useRunningWorker } from '../helpers/temporal';
import {
  eventually,
  Fakes,
  type Recorded,
  gateResult,
  maybeRecordHistory,
  runUntilCancelled,
  testIssue,
  type Script,
  startAssigned,
  untilDispatched,
} from './workflow-harness';

describe('issueWorkflow on a real dev server', () => {
  const fakes = new Fakes();
  const env = useRunningWorker(fakes.activities, {
    // Cancellation reaches an activity on its next heartbeat; don't let the SDK hold heartbeats back for long.
    maxHeartbeatThrottleInterval: '100ms',
    defaultHeartbeatThrottleInterval: '100ms',
  });

  const start = (issue: IssueSnapshot, extra: Partial<IssueWorkflowInput> = {}) =>
    startAssigned(env.ctx.client, env.worker.options.taskQueue, issue, { blockerRecheckInterval: '1 hour', ...extra });
  function sendAssigned(issue: IssueSnapshot, dedupeKey = `assigned-${issue.key}`) {
    return { dedupeKey, change: 'assigned' as const, issue };
  }
  const phaseOf = (handle: WorkflowHandle) => eventuallyPhase(handle, () => true);
  async function eventuallyPhase(handle: WorkflowHandle, accept: (phase: IssuePhase) => boolean) {
    return eventually(
      () => handle.query(statusQuery),
      (status) => accept(status.phase),
    );
  }
  const untilPhase = (handle: WorkflowHandle, phase: IssuePhase) => eventuallyPhase(handle, (p) => p === phase);
  const claim = (handle: WorkflowHandle) => handle.executeUpdate(claimCompletionUpdate, { args: [{ note: 'done' }] });
  const lastReport = (recorded: Recorded, phase: IssuePhase) =>
    eventually(
      async () => recorded.reports.at(-1),
      (report) => report?.phase === phase,
    );
  const close = (handle: WorkflowHandle, key = 'closed') => handle.signal(issueClosedSignal, { dedupeKey: key });

  it('runs the happy path: parse, assign, dispatch, claim, gates pass, close', async () => {
    const issue = testIssue('Add a spinning widget');
    const recorded = fakes.script(issue.key);
    const handle = await start(issue);
    await untilDispatched(recorded, 1);
    expect(recorded.dispatches[0]).toMatchObject({ agent: 'claude-small', round: 0 });
    expect(recorded.dispatches[0]!.prompt).toContain('It should spin.');

    const verdict = await claim(handle);
    expect(verdict.outcome).toBe('passed');
    expect(verdict.verification.gates.map((g) => g.gate)).toEqual(['build', 'lint', 'test']);
    expect(verdict.continuationPrompt).toBeUndefined();

    const description = await eventually(
      () => handle.describe(),
      (d) => d.typedSearchAttributes.get(IssuePhaseAttr) === 'passed',
    );
    expect(description.typedSearchAttributes.get(AssignedAgentAttr)).toBe('claude-small');
    expect(await description.staticSummary()).toBe(`${issue.key}: Add a spinning widget`);
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toContain('Phase: **passed**');
    expect(metadata.currentDetails).toContain('| lint | passed |');

    await close(handle);
    const result = await handle.result();
    expect(result).toMatchObject({ phase: 'closed', lastVerification: { passed: true } });
    expect(recorded.reports.map((r) => r.phase)).toEqual(['working', 'passed', 'closed']);
    expect(recorded.reports[0]).toMatchObject({ agent: 'claude-small', round: 1 });
    // Assignment and gate planning cost no round trip through the server: local activities, not scheduled ones.
    const events = (await handle.fetchHistory()).events ?? [];
    const scheduled = events.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    expect(scheduled).not.toContain('assignAgent');
    expect(scheduled).not.toContain('planGates');
    expect(scheduled).toContain('runGate');
    await maybeRecordHistory('happy-path', handle);
  });

  it('waits on blockers until a blockerClosed signal, and until the periodic re-check sees them closed', async () => {
    const issue = testIssue();
    const [first, second] = ['acme/other#1', 'acme/other#2'];
    const recorded = fakes.script(issue.key, {
      blockedBy: [first, second],
      issueStates: (keys, call) =>
        Object.fromEntries(keys.map((k) => [k, k === second && call >= 2 ? 'closed' : 'open'])),
    });
    const handle = await start(issue, { blockerRecheckInterval: '300ms' });
    let status = await untilPhase(handle, 'blocked');
    expect(status.openBlockers).toEqual([first, second]);
    await expect(claim(handle)).rejects.toThrow(WorkflowUpdateFailedError);
    // The issue says what it waits for as soon as it waits (once, not at every re-check).
    await eventually(
      async () => recorded.reports.filter((r) => r.phase === 'blocked'),
      (reports) => reports.length === 1,
    );
    expect(recorded.reports.find((r) => r.phase === 'blocked')!.openBlockers).toEqual([first, second]);

    await handle.signal(blockerClosedSignal, { dedupeKey: 'b1', blocker: first });
    status = await eventually(
      () => handle.query(statusQuery),
      (s) => s.openBlockers.length === 1,
    );
    expect(status).toMatchObject({ phase: 'blocked', openBlockers: [second] });
    const attrs = (await handle.describe()).typedSearchAttributes;
    expect(attrs.get(IssuePhaseAttr)).toBe('blocked');

    // No signal for the second blocker: the third re-check finds it closed.
    status = await untilPhase(handle, 'working');
    await untilDispatched(recorded, 1);
    expect(status.openBlockers).toEqual([]);
    expect(recorded.stateChecks).toBeGreaterThanOrEqual(3);
    expect(recorded.dispatches).toHaveLength(1);
    await close(handle);
    await handle.result();
    await maybeRecordHistory('blocked', handle);
  });

  it('carries on when Gitea is down: failed re-checks and status reports never fail the workflow', async () => {
    const issue = testIssue();
    const recorded = fakes.script(issue.key, { blockedBy: ['acme/other#3'], giteaDown: true });
    const handle = await start(issue, { blockerRecheckInterval: '200ms' });
    await untilPhase(handle, 'blocked');
    await eventually(
      async () => recorded.stateChecks,
      (n) => n >= 2,
    );
    await handle.signal(blockerClosedSignal, { dedupeKey: 'b3', blocker: 'acme/other#3' });
    await untilDispatched(recorded, 1);
    expect((await claim(handle)).outcome).toBe('passed');
    await close(handle);
    expect(await handle.result()).toMatchObject({ phase: 'closed' });
    expect(recorded.reports).toEqual([]);
    await maybeRecordHistory('gitea-down', handle);
  });

  it('sends a failed round back as a continuation prompt and passes on round 2', async () => {
    const issue = testIssue();
    const recorded = fakes.script(issue.key, {
      gate: async ({ gate, round }) => {
        if (round === 1 && gate === 'test') throw ApplicationFailure.nonRetryable('runner crashed');
        return gateResult(gate, round === 1 && gate === 'lint' ? 'failed' : 'passed');
      },
    });
    const handle = await start(issue);
    await untilDispatched(recorded, 1);
    const first = await claim(handle);
    expect(first.outcome).toBe('continue');
    expect(first.verification.gates.map((g) => [g.gate, g.status])).toEqual([
      ['build', 'passed'],
      ['lint', 'failed'],
      ['test', 'error'],
    ]);
    expect(first.continuationPrompt).toContain('REJECTED');
    expect(first.continuationPrompt).toContain('src/a.ts:3: lint finding');

    await untilDispatched(recorded, 2);
    const status = await handle.query(statusQuery);
    expect(status.round).toBe(2);
    expect(recorded.dispatches.map((d) => d.round)).toEqual([0, 1]);
    expect(recorded.dispatches[1]!.prompt).toBe(first.continuationPrompt);
    expect(recorded.reports.map((r) => r.phase)).toEqual(['working', 'continuing']);
    expect((await handle.describe()).typedSearchAttributes.get(ContinuationRoundAttr)).toBe(1);

    const second = await claim(handle);
    expect(second).toMatchObject({ outcome: 'passed', verification: { round: 2, passed: true } });
    await close(handle);
    await handle.result();
    await maybeRecordHistory('continuation', handle);
  });

  it("treats a command agent's exit as its claim, and dispatches the continuation as a new run", async () => {
    const issue = testIssue();
    const recorded = fakes.script(issue.key, {
      dispatch: async () => ({ outcome: 'claimed', detail: 'exited with code 0' }),
      gates: ['lint'],
      gate: async ({ gate, round }) => gateResult(gate, round === 1 ? 'failed' : 'passed'),
    });
    const handle = await start(issue);
    const passed = await untilPhase(handle, 'passed');
    expect(passed.lastVerification).toMatchObject({ round: 2, passed: true });
    expect(recorded.dispatches.map((d) => d.round)).toEqual([0, 1]);
    expect(recorded.dispatches[1]!.prompt).toContain('REJECTED');
    await close(handle);
    await handle.result();
    await maybeRecordHistory('command-exit-claims', handle);
  });

  it("verifies a running session's stop-hook claims without dispatching again, and ends the session on pass", async () => {
    const issue = testIssue();
    const recorded = fakes.script(issue.key, {
      dispatch: () => runUntilCancelled(() => undefined),
      gates: ['test'],
      gate: async ({ gate, round }) => gateResult(gate, round === 1 ? 'failed' : 'passed'),
    });
    const handle = await start(issue);
    await untilDispatched(recorded, 1);
    const first = await claim(handle);
    expect(first.outcome).toBe('continue');
    const status = await untilPhase(handle, 'working');
    expect(status.round).toBe(2);
    expect((await claim(handle)).outcome).toBe('passed');
    await eventually(
      async () => recorded.cancelledDispatches,
      (n) => n === 1,
    );
    expect(recorded.dispatches).toHaveLength(1);
    await close(handle);
    await handle.result();
    await maybeRecordHistory('session-hook-claims', handle);
  });

  it("accepts a session's next claim while the last verdict is still being reported", async () => {
    const issue = testIssue();
    const recorded = fakes.script(issue.key, {
      dispatch: () => runUntilCancelled(() => undefined),
      gates: ['test'],
      gate: async ({ gate, round }) => gateResult(gate, round === 1 ? 'failed' : 'passed'),
      reportDelayMs: 1500,
    });
    const handle = await start(issue);
    await untilDispatched(recorded, 1);
    expect((await claim(handle)).outcome).toBe('continue');
    // The agent fixed it at once and its stop hook claims again while the workflow reports round 1.
    expect((await handle.query(statusQuery)).phase).toBe('continuing');
    const second = await claim(handle);
    expect(second).toMatchObject({ outcome: 'passed', verification: { round: 2 } });
    expect(recorded.dispatches).toHaveLength(1);
    await close(handle);
    await handle.result();
  });

  it('escalates after the round bound and continues when resumed', async () => {
    const issue = testIssue();
    let failing = true;
    const recorded = fakes.script(issue.key, {
      gates: ['test'],
      gate: async ({ gate }) => gateResult(gate, failing ? 'failed' : 'passed'),
    });
    const handle = await start(issue, { maxRounds: 2 });
    await untilDispatched(recorded, 1);
    expect((await claim(handle)).outcome).toBe('continue');
    await untilDispatched(recorded, 2);
    const verdict = await claim(handle);
    expect(verdict.outcome).toBe('escalated');
    const escalated = await untilPhase(handle, 'escalated');
    expect(escalated.note).toContain('after 2 of 2 rounds');
    expect(await lastReport(recorded, 'escalated')).toMatchObject({ note: expect.stringContaining('Escalated') });
    expect(recorded.dispatches).toHaveLength(2);
    await expect(claim(handle)).rejects.toThrow(WorkflowUpdateFailedError);

    failing = false;
    await handle.signal(resumeSignal, { dedupeKey: 'resume-1', extraRounds: 1, by: 'alice' });
    await untilDispatched(recorded, 3);
    const resumed = await handle.query(statusQuery);
    expect(resumed).toMatchObject({ round: 3, maxRounds: 3 });
    expect(recorded.dispatches.map((d) => d.round)).toEqual([0, 1, 2]);
    expect((await claim(handle)).outcome).toBe('passed');
    await close(handle);
    await handle.result();
    await maybeRecordHistory('escalation', handle);
  });

  it('escalates when no agent fits, and reports a dependency cycle instead of waiting on it', async () => {
    const lonely = testIssue();
    const noAgent = fakes.script(lonely.key, { assignment: { ok: false, reason: 'no agent has a 1M context window' } });
    const cyclic = testIssue();
    fakes.script(cyclic.key, { blockedBy: ['acme/x#9'], blocks: ['acme/x#9'] });
    const [a, b] = [await start(lonely), await start(cyclic)];
    expect((await untilPhase(a, 'escalated')).note).toBe('no agent fits: no agent has a 1M context window');
    expect((await lastReport(noAgent, 'escalated'))?.note).toContain('1M context window');
    expect((await untilPhase(b, 'escalated')).note).toBe(`dependency cycle: ${cyclic.key} → acme/x#9 → ${cyclic.key}`);
    await Promise.all([close(a), close(b)]);
    await Promise.all([a.result(), b.result()]);
  });

  it('re-parses an escalated issue when it is edited, and carries on once the cycle is gone', async () => {
    const issue = testIssue();
    const script: Script = { blockedBy: ['acme/x#9'], blocks: ['acme/x#9'] };
    const recorded = fakes.script(issue.key, script);
    const handle = await start(issue);
    await untilPhase(handle, 'escalated');
    script.blocks = [];
    script.blockedBy = [];
    await handle.signal(issueChangedSignal, { dedupeKey: 'fix-cycle', change: 'edited', issue });
    await untilDispatched(recorded, 1);
    expect(await handle.query(statusQuery)).toMatchObject({ phase: 'working', openBlockers: [] });
    expect(recorded.parses).toBe(2);
    await close(handle);
    await handle.result();
  });

  it('re-parses when labels change (a difficulty label is a fact about the issue)', async () => {
    const issue = testIssue();
    const recorded = fakes.script(issue.key);
    const handle = await start(issue);
    await untilDispatched(recorded, 1);
    const labelled = { ...issue, labels: ['difficulty/hard'] };
    await handle.signal(issueChangedSignal, { dedupeKey: 'label-1', change: 'labeled', issue: labelled });
    await eventually(
      async () => recorded.parses,
      (parses) => parses === 2,
    );
    expect(recorded.dispatches).toHaveLength(1);
    await close(handle);
    await handle.result();
  });

  it('re-parses an edited issue and waits on the blockers it now names, without dispatching again', async () => {
    const issue = testIssue();
    const script: Script = {};
    const recorded = fakes.script(issue.key, script);
    const handle = await start(issue);
    await untilDispatched(recorded, 1);
    script.blockedBy = ['acme/other#7'];
    const body = `${issue.body}\n\nBlocked by acme/other#7`;
    await handle.signal(issueChangedSignal, { dedupeKey: 'e1', change: 'edited', issue: { ...issue, body } });
    const blocked = await untilPhase(handle, 'blocked');
    expect(blocked.openBlockers).toEqual(['acme/other#7']);
    expect(recorded.parses).toBe(2);
    const attrs = await eventually(
      () => handle.describe(),
      (d) => d.typedSearchAttributes.get(BlockedByAttr)?.length === 1,
    );
    expect(attrs.typedSearchAttributes.get(BlockedByAttr)).toEqual(['acme/other#7']);

    await handle.signal(blockerClosedSignal, { dedupeKey: 'b7', blocker: 'acme/other#7' });
    await untilPhase(handle, 'working');
    expect((await claim(handle)).outcome).toBe('passed');
    expect(recorded.dispatches).toHaveLength(1);
    await close(handle);
    await handle.result();
    await maybeRecordHistory('edited', handle);
  });

  it('escalates when the gates cannot be planned (non-retryable), and verifies the same work when resumed', async () => {
    const issue = testIssue();
    let misconfigured = true;
    let planAttempts = 0;
    const recorded = fakes.script(issue.key, {
      planGates: async () => {
        planAttempts += 1;
        if (misconfigured) throw new ConfigError('COORDINATOR_CONFIG_FILE', 'no gate commands');
        return ['build'];
      },
    });
    const handle = await start(issue);
    await untilDispatched(recorded, 1);
    const abandoned = await claim(handle).catch((error: unknown) => error);
    expect(abandoned).toBeInstanceOf(WorkflowUpdateFailedError);
    const escalated = await untilPhase(handle, 'escalated');
    expect(escalated.note).toContain('the gates could not be planned');
    expect(planAttempts).toBe(1);

    misconfigured = false;
    await handle.signal(resumeSignal, { dedupeKey: 'r1' });
    const passed = await untilPhase(handle, 'passed');
    expect(passed.lastVerification?.gates.map((g) => g.gate)).toEqual(['build']);
    expect(recorded.dispatches).toHaveLength(1);
    await close(handle);
    await handle.result();
    await maybeRecordHistory('gates-failed', handle);
  });

  it('pauses when unassigned (cancelling the running agent) and redispatches when assigned again', async () => {
    const issue = testIssue();
    const recorded = fakes.script(issue.key, {
      dispatch: () => runUntilCancelled(() => undefined),
    });
    const handle = await start(issue);
    await eventually(
      async () => recorded.dispatches.length,
      (n) => n === 1,
    );
    await handle.signal(issueChangedSignal, {
      dedupeKey: 'u1',
      change: 'unassigned',
      issue: { ...issue, assignees: [] },
    });
    await untilPhase(handle, 'paused');
    await eventually(
      async () => recorded.cancelledDispatches,
      (n) => n === 1,
    );
    await lastReport(recorded, 'paused');

    await handle.signal(issueChangedSignal, sendAssigned(issue, 'a2'));
    await untilPhase(handle, 'working');
    await eventually(
      async () => recorded.dispatches.length,
      (n) => n === 2,
    );
    expect(recorded.dispatches[1]).toMatchObject({ round: 0, prompt: recorded.dispatches[0]!.prompt });
    expect(recorded.dispatches[1]!.dispatchId).not.toBe(recorded.dispatches[0]!.dispatchId);
    await close(handle);
    await handle.result();
    await maybeRecordHistory('unassign', handle);
  });

  it('on close during gates cancels them, dispatches nothing more and ends as closed', async () => {
    const issue = testIssue();
    const recorded = fakes.script(issue.key, {
      gate: () => runUntilCancelled(() => undefined),
    });
    const handle = await start(issue);
    await untilDispatched(recorded, 1);
    const pendingClaim = claim(handle);
    await eventually(
      async () => recorded.gateRuns.length,
      (n) => n === 3,
    );
    await close(handle);
    await expect(pendingClaim).rejects.toThrow(WorkflowUpdateFailedError);
    expect(await handle.result()).toMatchObject({ phase: 'closed' });
    await eventually(
      async () => recorded.cancelledGates,
      (n) => n === 3,
    );
    expect(recorded.dispatches).toHaveLength(1);
    expect(recorded.reports.map((r) => r.phase)).toEqual(['working', 'closed']);
    await maybeRecordHistory('close-during-gates', handle);
  });

  it('on `temporal workflow cancel` cancels the agent, reports, and ends as cancelled', async () => {
    const issue = testIssue();
    const recorded = fakes.script(issue.key, { dispatch: () => runUntilCancelled(() => undefined) });
    const handle = await start(issue);
    await eventually(
      async () => recorded.dispatches.length,
      (n) => n === 1,
    );
    const server = testServer();
    await promisify(execFile)(server.cliPath, [
      'workflow',
      'cancel',
      '--address',
      server.address,
      '--namespace',
      server.namespace,
      '--workflow-id',
      issue.key,
    ]);
    const failure = await handle.result().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    await eventually(
      async () => recorded.cancelledDispatches,
      (n) => n === 1,
    );
    await lastReport(recorded, 'cancelled');
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    await maybeRecordHistory('cancel', handle);
  });

  it('gives duplicate and replayed signals one effect', async () => {
    const issue = testIssue();
    const recorded = fakes.script(issue.key, { blockedBy: ['acme/other#5'] });
    const handle = await start(issue);
    await untilPhase(handle, 'blocked');
    // A redelivered start signal (same dedupe key) and a duplicated edit: one re-parse.
    await handle.signal(issueChangedSignal, sendAssigned(issue));
    const edited = { dedupeKey: 'edit-1', change: 'edited' as const, issue: { ...issue, title: 'Renamed' } };
    await handle.signal(issueChangedSignal, edited);
    await handle.signal(issueChangedSignal, edited);
    await eventually(
      async () => recorded.parses,
      (n) => n === 2,
    );
    const unassigned = { dedupeKey: 'u1', change: 'unassigned' as const, issue: { ...issue, assignees: [] } };
    await handle.signal(issueChangedSignal, unassigned);
    await untilPhase(handle, 'paused');
    await handle.signal(issueChangedSignal, sendAssigned(issue, 'a2'));
    await untilPhase(handle, 'blocked');
    await handle.signal(issueChangedSignal, unassigned); // replayed from Gitea's "Replay" button
    await new Promise((r) => setTimeout(r, 300));
    expect((await phaseOf(handle)).phase).toBe('blocked');
    expect(recorded.parses).toBe(2);
    expect(recorded.reports.filter((r) => r.phase === 'paused')).toHaveLength(1);
    await close(handle);
    await close(handle);
    expect(await handle.result()).toMatchObject({ phase: 'closed' });
    await maybeRecordHistory('dedupe', handle);
  });

  it('rejects a completion claim outside the working phase without running gates', async () => {
    const issue = testIssue();
    const recorded = fakes.script(issue.key, { assignment: { ok: false, reason: 'pool empty' } });
    const handle = await start(issue);
    await untilPhase(handle, 'escalated');
    const rejection = await claim(handle).catch((error: unknown) => error);
    expect(rejection).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String((rejection as WorkflowUpdateFailedError).cause?.message)).toContain(
      'claims are accepted only while working; the issue is escalated',
    );
    expect(recorded.gateRuns).toHaveLength(0);
    await close(handle);
    await handle.result();
  });
});
