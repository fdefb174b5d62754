import { createRunningCountByAgent } from '../../src/activities/running-agents';
import { AssignedAgentAttr, IssuePhaseAttr } from '../../src/temporal/search-attributes';
import type { IssuePhase } from '../../src/workflows/messages';
import { connectToTestServer, uniqueName, type TemporalTestContext } from '../helpers/temporal';

describe('running count by agent from Temporal visibility', () => {
  let ctx: TemporalTestContext;
  beforeAll(async () => {
    ctx = await connectToTestServer();
  });
  afterAll(async () => ctx.close());

  it('counts running workflows whose agent holds a session, by AssignedAgent, and forgets finished ones', async () => {
    const busy = uniqueName('busy-agent');
    const idle = uniqueName('idle-agent');
    const taskQueue = uniqueName('no-worker');
    // Only working, verifying and continuing hold a session; the others name an agent but leave it free.
    const phases: IssuePhase[] = ['working', 'verifying', 'continuing', 'passed', 'escalated', 'paused', 'blocked'];
    // No worker polls this queue: the executions stay Running, which is all visibility needs.
    const handles = await Promise.all(
      phases.map((phase, n) =>
        ctx.client.workflow.start('issueWorkflow', {
          taskQueue,
          workflowId: `acme/${uniqueName('w')}#${n + 1}`,
          args: [{}],
          typedSearchAttributes: [
            { key: AssignedAgentAttr, value: busy },
            { key: IssuePhaseAttr, value: phase },
          ],
        }),
      ),
    );
    const count = createRunningCountByAgent(ctx.client, [{ name: busy }, { name: idle }]);
    try {
      await expect(eventually(count, (c) => c[busy] === 3)).resolves.toEqual({ [busy]: 3, [idle]: 0 });
      await handles[0]!.terminate('test');
      await expect(eventually(count, (c) => c[busy] === 2)).resolves.toEqual({ [busy]: 2, [idle]: 0 });
    } finally {
      await Promise.all(handles.map((handle) => handle.terminate('test').catch(() => undefined)));
    }
  });
});

/** Visibility is eventually consistent: poll until the predicate holds or 10 s pass. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
