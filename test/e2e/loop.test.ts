/**
 * The whole loop on the test dev server: the real receiver (signed webhooks from the fake Gitea), the real worker
 * with the real activities (heuristic parsing, a `command` agent, gates as commands, reporting to the fake Gitea),
 * and reconciliation on its Temporal Schedule.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import type { ReconcileReport } from '../../src/activities/contract';
import { loadConfig, type Config } from '../../src/config';
import { parseCoordinatorFile, type CoordinatorFile } from '../../src/config-file';
import { createLogger } from '../../src/logger';
import { createApp } from '../../src/receiver/app';
import { closeServer, listen } from '../../src/receiver/server';
import { ensureReconcileSchedule, reconcileScheduleId } from '../../src/temporal/reconcile-schedule';
import { createWorker } from '../../src/worker';
import { statusQuery, type IssueStatus } from '../../src/workflows/messages';
import type { reconcileWorkflow } from '../../src/workflows/reconcile-workflow';
import {
  issuePayload,
  sendGiteaWebhook,
  startFakeGitea,
  type FakeGitea,
  type FakeIssue,
  type IssueAction,
} from '../fakes/gitea-server';
import { connectToTestServer, testServer, uniqueName, type TemporalTestContext } from '../helpers/temporal';
import { eventually } from '../integration/workflow-harness';

const FIXTURES = join(__dirname, '..', 'fixtures', 'loop');
const COORDINATOR_BIN = join(__dirname, '..', '..', 'bin', 'coordinator.js');
const SECRET = 'e2e-webhook-secret';
const OWNER = uniqueName('e2e');
/** Workspace markers of test/fixtures/loop/agent.js, per repository. */
const REPOSITORIES: Record<string, string[]> = {
  loop: ['break-first'],
  chain: [],
  lost: [],
  hook: ['break-first', 'stop-hook'],
};

interface SessionEntry {
  issue: string;
  round: number;
  event: string;
  promptMentionsFailure?: boolean;
  decision?: string;
  reasonMentionsFailure?: boolean;
}

describe('closing the loop, end to end', () => {
  let ctx: TemporalTestContext;
  let gitea: FakeGitea;
  let worker: Worker;
  let running: Promise<void>;
  let server: Server;
  let receiverUrl: string;
  let config: Config;
  let file: CoordinatorFile;
  let root: string;
  const log = createLogger('silent');

  beforeAll(async () => {
    ctx = await connectToTestServer();
    gitea = await startFakeGitea({ token: 'e2e-token' });
    root = mkdtempSync(join(tmpdir(), 'coordinator-e2e-'));
    for (const [repo, markers] of Object.entries(REPOSITORIES)) {
      mkdirSync(join(root, repo));
      for (const marker of markers) writeFileSync(join(root, repo, marker), '');
    }
    const { address, namespace, bundlePath } = testServer();
    config = loadConfig({
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_TASK_QUEUE: uniqueName('e2e-loop'),
      GITEA_URL: gitea.url,
      GITEA_TOKEN: 'e2e-token',
      GITEA_WEBHOOK_SECRET: SECRET,
      MAX_CONTINUATION_ROUNDS: '3',
      // Only a signal (webhook or reconciliation) may unblock or start anything within a test.
      BLOCKER_RECHECK_INTERVAL: '1h',
      RECONCILE_INTERVAL: '1h',
    });
    file = parseCoordinatorFile({
      agents: [
        {
          name: 'fixture-agent',
          driver: 'command',
          command: [process.execPath, join(FIXTURES, 'agent.js'), COORDINATOR_BIN],
          contextWindow: 200_000,
          capability: 'expert',
          concurrency: 4,
        },
      ],
      gates: {
        build: false,
        lint: false,
        coverage: false,
        test: { command: [process.execPath, join(FIXTURES, 'check-solution.js')], timeoutSeconds: 30 },
      },
      repositories: Object.keys(REPOSITORIES).map((repo) => ({
        name: `${OWNER}/${repo}`,
        workspace: join(root, repo),
      })),
    });
    worker = await createWorker({
      connection: ctx.nativeConnection,
      namespace,
      taskQueue: config.temporal.taskQueue,
      activities: createActivities({ config, file, log, temporalClient: ctx.client }),
      workflowBundlePath: bundlePath,
    });
    running = worker.run();
    server = await listen(createApp({ client: ctx.client, config, log }), 0, '127.0.0.1');
    receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/gitea`;
  });

  afterAll(async () => {
    await ctx.client.schedule
      .getHandle(reconcileScheduleId(config.temporal.taskQueue))
      .delete()
      .catch(() => undefined);
    await closeServer(server);
    worker.shutdown();
    await running;
    await gitea.close();
    await ctx.close();
    rmSync(root, { recursive: true, force: true });
  });

  const newIssue = (repo: string, title: string, body = '') =>
    gitea.addIssue({ owner: OWNER, repo, title, body, assignees: ['fixture-agent'] });
  const keyOf = (issue: FakeIssue) => `${OWNER}/${issue.repo}#${issue.number}`;
  const webhook = async (action: IssueAction, issue: FakeIssue) => {
    const result = await sendGiteaWebhook(receiverUrl, {
      event: 'issues',
      secret: SECRET,
      payload: issuePayload(action, issue, gitea),
    });
    expect(result.status).toBe(202);
  };
  /** Waits for the issue's workflow to reach `phase`; the workflow may not have started yet. */
  const phaseOf = async (issue: FakeIssue, phase: IssueStatus['phase'], timeoutMs = 20_000) =>
    (await eventually(
      () =>
        ctx.client.workflow
          .getHandle(keyOf(issue))
          .query(statusQuery)
          .catch((error: unknown) => {
            if (error instanceof WorkflowNotFoundError) return undefined;
            throw error;
          }),
      (status) => status?.phase === phase,
      timeoutMs,
    ))!;
  const sessions = (repo: string): SessionEntry[] => {
    try {
      return readFileSync(join(root, repo, 'sessions.log'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as SessionEntry);
    } catch {
      return [];
    }
  };
  const statusComments = (issue: FakeIssue) => gitea.commentsOn(issue).filter((c) => c.author === 'coordinator');

  it('assign → parse → dispatch → gates fail → continuation → the agent fixes it → gates pass → final comment', async () => {
    const issue = newIssue('loop', 'Make the solution work', '- [ ] solution.txt says fixed');
    await webhook('assigned', issue);

    const status = await phaseOf(issue, 'passed');
    expect(status).toMatchObject({ agent: 'fixture-agent', round: 2, maxRounds: 3 });
    expect(status.metadata?.parser).toBe('heuristic');
    expect(status.lastVerification?.passed).toBe(true);

    expect(sessions('loop')).toEqual([
      { issue: keyOf(issue), round: 0, event: 'session', promptMentionsFailure: false },
      { issue: keyOf(issue), round: 1, event: 'session', promptMentionsFailure: true },
    ]);
    // One status comment, edited in place through every phase, ends on the result; one phase label.
    // The comment is edited first, then the phase label swapped: wait for both.
    const final = await eventually(
      async () => ({ comments: statusComments(issue), labels: gitea.labelNamesOn(issue) }),
      ({ comments, labels }) => /passed/i.test(comments.at(-1)?.body ?? '') && labels.includes('coordinator/passed'),
    );
    expect(final.comments).toHaveLength(1);
    expect(final.labels).toEqual(['coordinator/passed']);
    const posts = gitea.calls.filter((c) => c.method === 'POST' && c.path.endsWith(`/${issue.repo}/issues/1/comments`));
    expect(posts).toHaveLength(1);
    expect(gitea.calls.some((c) => c.method === 'PATCH' && c.path.includes(`/${issue.repo}/issues/comments/`))).toBe(
      true,
    );
    expect(final.comments[0]!.body).not.toContain('e2e-token');
  });

  it('starts an issue blocked by another only once the blocker is closed', async () => {
    const blocker = newIssue('chain', 'Lay the foundation');
    const blocked = newIssue('chain', 'Build on it', `Blocked by #${blocker.number}`);
    await webhook('assigned', blocked);
    await webhook('assigned', blocker);

    await phaseOf(blocker, 'passed');
    const waiting = await phaseOf(blocked, 'blocked');
    expect(waiting.openBlockers).toEqual([keyOf(blocker)]);
    expect(sessions('chain').map((s) => s.issue)).toEqual([keyOf(blocker)]);
    // The waiting issue says so on Gitea: its status comment names the blocker, and it wears the blocked label.
    const shown = await eventually(
      async () => ({ comments: statusComments(blocked), labels: gitea.labelNamesOn(blocked) }),
      ({ labels }) => labels.includes('coordinator/blocked'),
    );
    expect(shown.comments).toHaveLength(1);
    expect(shown.comments[0]!.body).toContain(keyOf(blocker));

    gitea.setState(blocker, 'closed');
    await webhook('closed', blocker);

    await phaseOf(blocked, 'passed');
    expect(await ctx.client.workflow.getHandle(keyOf(blocker)).result()).toMatchObject({ phase: 'closed' });
    expect(sessions('chain').map((s) => s.issue)).toEqual([keyOf(blocker), keyOf(blocked)]);
  });

  it('picks up a lost assigned webhook and a lost close through the reconciliation schedule', async () => {
    const issue = newIssue('lost', 'Nobody told the coordinator');
    const scheduleId = reconcileScheduleId(config.temporal.taskQueue);
    expect(await ensureReconcileSchedule(ctx.client, config, file, log)).toBe('created');
    const faster = { ...config, reconcile: { interval: '30m' } };
    expect(await ensureReconcileSchedule(ctx.client, faster, file, log)).toBe('updated');
    const described = await ctx.client.schedule.getHandle(scheduleId).describe();
    expect(described.spec.intervals).toEqual([expect.objectContaining({ every: 30 * 60_000 })]);

    await ctx.client.schedule.getHandle(scheduleId).trigger();
    await phaseOf(issue, 'passed');
    expect(sessions('lost').map((s) => s.issue)).toEqual([keyOf(issue)]);

    // A second pass finds nothing to repair: the issue has its workflow now.
    const again = await ctx.client.workflow.execute<typeof reconcileWorkflow>('reconcileWorkflow', {
      taskQueue: config.temporal.taskQueue,
      workflowId: uniqueName('reconcile-direct'),
    });
    expect(again).toEqual<ReconcileReport>({
      repositories: Object.keys(REPOSITORIES).length,
      started: [],
      closed: [],
      skipped: [],
    });

    gitea.setState(issue, 'closed');
    await ctx.client.schedule.getHandle(scheduleId).trigger();
    expect(await ctx.client.workflow.getHandle(keyOf(issue)).result()).toMatchObject({ phase: 'closed' });
    expect(sessions('lost')).toHaveLength(1);

    const off = { ...config, reconcile: { interval: undefined } };
    expect(await ensureReconcileSchedule(ctx.client, off, file, log)).toBe('deleted');
    expect(await ensureReconcileSchedule(ctx.client, off, file, log)).toBe('off');
  });

  it("holds a stop-hook agent's session open until the gates pass", async () => {
    const issue = newIssue('hook', 'Stop only when done');
    await webhook('assigned', issue);

    // Each `coordinator claim` is a fresh Node process loading the CLI from source: allow for a loaded machine.
    await phaseOf(issue, 'passed', 45_000);
    await eventually(
      async () => sessions('hook').map((s) => s.event),
      (events) => events.includes('stop allowed'),
    );
    expect(sessions('hook')).toEqual([
      { issue: keyOf(issue), round: 0, event: 'session', promptMentionsFailure: false },
      { issue: keyOf(issue), round: 0, event: 'stop blocked', decision: 'block', reasonMentionsFailure: true },
      { issue: keyOf(issue), round: 0, event: 'stop allowed' },
    ]);
  });
});
