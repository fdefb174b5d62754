import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { ReconcileActivities, ReconcileReport } from '../../src/activities/contract';
import { createReconcileActivities } from '../../src/activities/reconcile';
import { loadConfig } from '../../src/config';
import { parseCoordinatorFile } from '../../src/config-file';
import { createLogger } from '../../src/logger';
import { startFakeGitea, type FakeGitea } from '../fakes/gitea-server';
import { connectToTestServer, testServer, uniqueName, type TemporalTestContext } from '../helpers/temporal';

/** The reconcile activity against the fake Gitea and the real dev server (no worker: started workflows just wait). */
describe('reconcileIssues', () => {
  let ctx: TemporalTestContext;
  let gitea: FakeGitea;
  const owner = uniqueName('reconcile');
  const log = createLogger('silent');
  // The SDK logs an activity's failure; the failures here are the expected ones.
  const activityEnv = () => new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR', () => {}) });
  const pass = (activity: ReconcileActivities): Promise<ReconcileReport> => activityEnv().run(activity.reconcileIssues);

  beforeAll(async () => {
    ctx = await connectToTestServer();
    gitea = await startFakeGitea({ token: 'token' });
  });
  afterAll(async () => {
    await gitea.close();
    await ctx.close();
  });

  const activities = (repositories: string[], token = 'token') =>
    createReconcileActivities({
      config: loadConfig({
        TEMPORAL_ADDRESS: testServer().address,
        TEMPORAL_TASK_QUEUE: uniqueName('reconcile-tq'),
        GITEA_URL: gitea.url,
        GITEA_TOKEN: token,
        MAX_CONTINUATION_ROUNDS: '7',
      }),
      file: parseCoordinatorFile({ repositories: repositories.map((name) => ({ name })) }),
      log,
      temporalClient: ctx.client,
    });

  it('starts assigned issues with the configured bounds, skips a repository it cannot list, and is idempotent', async () => {
    gitea.addIssue({ owner, repo: 'present', title: 'Assigned', assignees: ['bot'] });
    gitea.addIssue({ owner, repo: 'present', title: 'Nobody on it' });
    // Gitea answers 404 for a repository that does not exist (the fake serves any name, so inject it).
    gitea.failNext(1, { status: 404 }, { method: 'GET', path: new RegExp(`/${owner}/absent/issues$`) });
    const reconcile = activities([`${owner}/present`, `${owner}/absent`]);

    const first = await pass(reconcile);
    expect(first.started).toEqual([`${owner}/present#1`]);
    expect(first.closed).toEqual([]);
    expect(first.skipped).toEqual([{ reason: expect.stringContaining(`${owner}/absent`) }]);
    const handle = ctx.client.workflow.getHandle(`${owner}/present#1`);
    const history = await handle.fetchHistory();
    const started = history.events![0]!.workflowExecutionStartedEventAttributes!;
    expect(started.workflowType!.name).toBe('issueWorkflow');
    const input = JSON.parse(Buffer.from(started.input!.payloads![0]!.data!).toString()) as Record<string, unknown>;
    expect(input).toMatchObject({ maxRounds: 7, blockerRecheckInterval: '5m', issue: { title: 'Assigned' } });

    // Visibility may lag just after the start; the second pass must not start anything either way.
    const second = await pass(reconcile);
    expect(second.started).toEqual([]);
    await handle.terminate('test over');
  });

  it('fails the pass when no repository can be listed', async () => {
    await expect(pass(activities([`${owner}/present`], 'wrong-token'))).rejects.toMatchObject({
      type: 'GiteaError',
      nonRetryable: true,
    });
  });
});
