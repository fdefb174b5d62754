import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { IssueSnapshot } from '../../src/domain/types';
import type { IssueWorkflowInput } from '../../src/workflows/issue-workflow';
import {
  claimCompletionUpdate,
  contextUsageSignal,
  issueClosedSignal,
  statusQuery,
} from '../../src/workflows/messages';
import { useRunningWorker } from '../helpers/temporal';
import {
  eventually,
  Fakes,
  gateResult,
  maybeRecordHistory,
  runUntilCancelled,
  testIssue,
  startAssigned,
  untilDispatched,
} from './workflow-harness';

describe('issueWorkflow context-window monitoring', () => {
  const fakes = new Fakes();
  const env = useRunningWorker(fakes.activities, {
    maxHeartbeatThrottleInterval: '100ms',
    defaultHeartbeatThrottleInterval: '100ms',
  });

  const start = (issue: IssueSnapshot, extra: Partial<IssueWorkflowInput> = {}) =>
    startAssigned(env.ctx.client, env.worker.options.taskQueue, issue, extra);
  const usage = (handle: WorkflowHandle, key: string, usedTokens: number) =>
    handle.signal(contextUsageSignal, { dedupeKey: key, usedTokens, windowTokens: 100_000 });
  const close = async (handle: WorkflowHandle) => {
    await handle.signal(issueClosedSignal, { dedupeKey: 'closed' });
    return handle.result();
  };

  it('tells a told-and-done agent to compact once at 80%, then hands off to a fresh session at 95%', async () => {
    const issue = testIssue('Make the widget spin faster');
    const recorded = fakes.script(issue.key);
    const handle = await start(issue);
    await untilDispatched(recorded, 1);

    await usage(handle, 'u1', 50_000);
    const status = await eventually(
      () => handle.query(statusQuery),
      (s) => s.contextUsage?.usedTokens === 50_000,
    );
    expect(status.contextUsage).toEqual({ usedTokens: 50_000, windowTokens: 100_000 });
    const details = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(details.currentDetails).toContain('Agent context: 50000 of 100000 tokens (50%)');

    await usage(handle, 'u2', 82_000);
    await untilDispatched(recorded, 2);
    expect(recorded.dispatches[1]!.prompt).toContain('used about 82% of your context window');
    expect(recorded.dispatches[1]!.prompt).toContain('Compact your context now');
    // Still over the threshold: the agent is not told again.
    await usage(handle, 'u3', 88_000);
    await eventually(
      () => handle.query(statusQuery),
      (s) => s.contextUsage?.usedTokens === 88_000,
    );

    await usage(handle, 'u4', 96_000);
    await untilDispatched(recorded, 3);
    const handoff = recorded.dispatches[2]!;
    expect(handoff.prompt).toContain('taking over');
    expect(handoff.prompt).toContain('Make the widget spin faster');
    expect(handoff.prompt).toContain('It should spin.');
    expect(handoff.prompt).toContain('round 1 of 5');
    expect(new Set(recorded.dispatches.map((d) => d.dispatchId)).size).toBe(3);
    const after = await handle.query(statusQuery);
    expect(after).toMatchObject({ phase: 'working', contextHandoffs: 1 });
    expect(after.contextUsage).toBeUndefined();
    expect(recorded.dispatches).toHaveLength(3);

    expect((await handle.executeUpdate(claimCompletionUpdate, { args: [{ agent: 'claude-small' }] })).outcome).toBe(
      'passed',
    );
    await close(handle);
    await maybeRecordHistory('context-compact-handoff', handle);
  });

  it('ends a running session at the hand-off threshold and re-dispatches with the last verdict', async () => {
    const issue = testIssue();
    const recorded = fakes.script(issue.key, {
      gates: ['test'],
      gate: async ({ gate, round }) => gateResult(gate, round === 1 ? 'failed' : 'passed'),
      dispatch: () => runUntilCancelled(() => {}),
    });
    const handle = await start(issue, { contextCompactAt: 0.5, contextHandoffAt: 0.9 });
    await untilDispatched(recorded, 1);

    await expect(handle.executeUpdate(claimCompletionUpdate, { args: [{ agent: 'someone-else' }] })).rejects.toThrow(
      WorkflowUpdateFailedError,
    );

    // The claim reports 60% (over this workflow's 50%): the running session gets the notice with its verdict.
    const verdict = await handle.executeUpdate(claimCompletionUpdate, {
      args: [{ agent: 'claude-small', contextUsage: { usedTokens: 60_000, windowTokens: 100_000 } }],
    });
    expect(verdict.outcome).toBe('continue');
    expect(verdict.continuationPrompt).toMatch(/^Context notice for .*\n[\s\S]*REJECTED/);
    expect(recorded.dispatches).toHaveLength(1);

    await usage(handle, 'u1', 91_000);
    await untilDispatched(recorded, 2);
    await eventually(
      async () => recorded.cancelledDispatches,
      (n) => n === 1,
    );
    const handoff = recorded.dispatches[1]!;
    expect(handoff.prompt).toContain('taking over');
    expect(handoff.prompt).toContain('round 2 of 5');
    expect(handoff.prompt).toContain('The last verdict of the quality gates:');
    expect(handoff.prompt).toContain('REJECTED');
    expect(handoff.round).toBe(1);

    expect((await handle.executeUpdate(claimCompletionUpdate, { args: [{}] })).outcome).toBe('passed');
    expect(await close(handle)).toMatchObject({ phase: 'closed', contextHandoffs: 1 });
    await maybeRecordHistory('context-session-handoff', handle);
  });
});
