import { createActivities } from '../../src/activities';
import { loadConfig } from '../../src/config';
import { parseCoordinatorFile } from '../../src/config-file';
import { createLogger } from '../../src/logger';
import { issueClosedSignal, statusQuery } from '../../src/workflows/messages';
import { connectToTestServer, createTestWorker, uniqueName, type TemporalTestContext } from '../helpers/temporal';

describe('the real Temporal dev server started by globalSetup', () => {
  let ctx: TemporalTestContext;
  beforeAll(async () => {
    ctx = await connectToTestServer();
  });
  afterAll(async () => ctx.close());

  it('runs an issue workflow through a real worker, answering queries and signals', async () => {
    const activities = createActivities({
      config: loadConfig({}),
      file: parseCoordinatorFile({}),
      log: createLogger('silent'),
    });
    const worker = await createTestWorker(ctx.nativeConnection, activities);
    const workflowId = `acme/${uniqueName('widgets')}#7`;
    await worker.runUntil(async () => {
      const handle = await ctx.client.workflow.start('issueWorkflow', {
        taskQueue: worker.options.taskQueue,
        workflowId,
        args: [
          {
            issue: {
              key: workflowId,
              owner: 'acme',
              repo: 'widgets',
              number: 7,
              title: 'Add a widget',
              body: '',
              labels: [],
              state: 'open',
              assignees: ['bot'],
            },
          },
        ],
      });
      let status = await handle.query(statusQuery);
      // The real parseIssue answered once the workflow moved on (to assigning, or beyond with real agents).
      for (let i = 0; i < 50 && status.phase === 'parsing'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = await handle.query(statusQuery);
      }
      expect(status).toMatchObject({ issueKey: workflowId, metadata: expect.objectContaining({ blockedBy: [] }) });
      expect(status.phase).not.toBe('parsing');
      await handle.signal(issueClosedSignal, { dedupeKey: 'close-1' });
      await expect(handle.result()).resolves.toMatchObject({ phase: 'closed' });
    });
  });
});
