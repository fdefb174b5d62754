import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import {
  blockerClosedSignal,
  claimCompletionUpdate,
  contextUsageSignal,
  issueChangedSignal,
  issueClosedSignal,
  statusQuery,
} from '../../src/workflows/messages';
import { testServer, uniqueName } from '../helpers/temporal';
import { eventually, Fakes, maybeRecordHistory, testIssue, startAssigned } from './workflow-harness';

/** Its own dev server: the server suggests continue-as-new after a few dozen history events. */
describe('issueWorkflow continue-as-new', () => {
  let server: DevServer;
  let connection: Connection;
  let nativeConnection: NativeConnection;
  let client: Client;
  let worker: Worker;
  let running: Promise<void>;
  const fakes = new Fakes();

  beforeAll(async () => {
    server = await startDevServer({
      cliPath: testServer().cliPath,
      dynamicConfig: ['limit.historyCount.suggestContinueAsNew=40'],
    });
    connection = await Connection.connect({ address: server.address });
    nativeConnection = await NativeConnection.connect({ address: server.address });
    client = new Client({ connection });
    worker = await Worker.create({
      connection: nativeConnection,
      taskQueue: uniqueName('tq'),
      workflowBundle: { codePath: testServer().bundlePath },
      activities: fakes.activities,
    });
    running = worker.run();
  }, 60_000);
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await connection?.close();
    await nativeConnection?.close();
    await server?.stop();
  });

  it('continues as new when the server suggests it, carrying state and seen dedupe keys', async () => {
    const issue = testIssue();
    const [first, second] = ['acme/other#1', 'acme/other#2'];
    const recorded = fakes.script(issue.key, { blockedBy: [first, second] });
    const handle = await startAssigned(
      client,
      worker.options.taskQueue,
      issue,
      { blockerRecheckInterval: '1 hour' },
      'a1',
    );
    await eventually(
      () => handle.query(statusQuery),
      (s) => s.phase === 'blocked',
    );
    const firstRunId = (await handle.describe()).runId;
    const unassigned = { dedupeKey: 'u1', change: 'unassigned' as const, issue: { ...issue, assignees: [] } };
    await handle.signal(issueChangedSignal, unassigned);
    await eventually(
      () => handle.query(statusQuery),
      (s) => s.phase === 'paused',
    );
    await handle.signal(issueChangedSignal, { dedupeKey: 'a2', change: 'assigned', issue });
    await handle.signal(blockerClosedSignal, { dedupeKey: 'b1', blocker: first });

    for (let i = 0; i < 60 && (await handle.describe()).runId === firstRunId; i++) {
      await handle.signal(contextUsageSignal, { usedTokens: 1000 + i, windowTokens: 200_000 });
    }
    const continued = await handle.describe();
    expect(continued.runId).not.toBe(firstRunId);
    expect(continued.status.name).toBe('RUNNING');

    const status = await eventually(
      () => handle.query(statusQuery),
      (s) => s.phase === 'blocked',
    );
    expect(status).toMatchObject({ openBlockers: [second], agent: 'claude-small', round: 1 });
    // The unassignment replayed after continue-as-new is still recognised as seen.
    await handle.signal(issueChangedSignal, unassigned);
    await new Promise((r) => setTimeout(r, 300));
    expect((await handle.query(statusQuery)).phase).toBe('blocked');
    expect(recorded.parses).toBe(1);
    expect(recorded.assignments).toBe(1);

    await handle.signal(blockerClosedSignal, { dedupeKey: 'b2', blocker: second });
    await eventually(
      async () => recorded.dispatches.length,
      (n) => n === 1,
    );
    const verdict = await handle.executeUpdate(claimCompletionUpdate, { args: [{}] });
    expect(verdict.outcome).toBe('passed');
    await handle.signal(issueClosedSignal, { dedupeKey: 'closed' });
    expect(await handle.result()).toMatchObject({ phase: 'closed', lastVerification: { passed: true } });
    await maybeRecordHistory('continue-as-new-last-run', handle, server.address);
    await maybeRecordHistory(
      'continue-as-new-first-run',
      client.workflow.getHandle(issue.key, firstRunId),
      server.address,
    );
  });
});
