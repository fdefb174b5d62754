import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { renderDispatchComment } from '../../src/agents/gitea-comment';
import { loadConfig } from '../../src/config';
import { agentSchema } from '../../src/config-file';
import type { IssueSnapshot } from '../../src/domain/types';
import { createLogger } from '../../src/logger';
import { createApp } from '../../src/receiver/app';
import { routeComment } from '../../src/receiver/comment-claims';
import { closeServer, listen } from '../../src/receiver/server';
import { statusQuery, type IssuePhase } from '../../src/workflows/messages';
import {
  issueCommentPayload,
  sendGiteaWebhook,
  startFakeGitea,
  type FakeGitea,
  type FakeIssue,
} from '../fakes/gitea-server';
import { connectToTestServer, createTestWorker, uniqueName, type TemporalTestContext } from '../helpers/temporal';
import { eventually, Fakes, type Recorded, startAssigned } from './workflow-harness';

const SECRET = 'gitea-hook-secret';
const agents = [
  {
    name: 'claude-small',
    driver: 'gitea-comment',
    giteaUser: 'Claude-Bot',
    contextWindow: 200_000,
    capability: 'hard',
  },
  { name: 'other-agent', driver: 'gitea-comment', giteaUser: 'other-bot', contextWindow: 200_000, capability: 'hard' },
].map((agent) => agentSchema.parse(agent));

let ctx: TemporalTestContext;
let worker: Worker;
let running: Promise<void>;
let gitea: FakeGitea;
let server: Server;
let webhookUrl: string;
const fakes = new Fakes();

beforeAll(async () => {
  ctx = await connectToTestServer();
  worker = await createTestWorker(ctx.nativeConnection, fakes.activities);
  running = worker.run();
  gitea = await startFakeGitea();
  const config = loadConfig({ TEMPORAL_TASK_QUEUE: worker.options.taskQueue, GITEA_WEBHOOK_SECRET: SECRET });
  server = await listen(createApp({ client: ctx.client, config, log: createLogger('silent'), agents }), 0, '127.0.0.1');
  webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/gitea`;
});
afterAll(async () => {
  await closeServer(server);
  await gitea.close();
  worker.shutdown();
  await running;
  await ctx.close();
});

function snapshotOf(issue: FakeIssue): IssueSnapshot {
  return {
    key: `${issue.owner}/${issue.repo}#${issue.number}`.toLowerCase(),
    owner: issue.owner,
    repo: issue.repo,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    labels: [],
    state: 'open',
    assignees: issue.assignees,
  };
}

async function workingIssue(): Promise<[FakeIssue, WorkflowHandle, Recorded]> {
  const fake = gitea.addIssue({ owner: 'acme', repo: uniqueName('widgets'), assignees: ['Claude-Bot'] });
  const issue = snapshotOf(fake);
  const recorded = fakes.script(issue.key);
  const handle = await startAssigned(ctx.client, worker.options.taskQueue, issue);
  await untilPhase(handle, 'working');
  return [fake, handle, recorded];
}

const untilPhase = (handle: WorkflowHandle, phase: IssuePhase) =>
  eventually(
    () => handle.query(statusQuery),
    (status) => status.phase === phase,
  );

function comment(issue: FakeIssue, body: string, author: string, action: 'created' | 'edited' = 'created') {
  const written = gitea.addComment(issue, body, author);
  return sendGiteaWebhook(webhookUrl, {
    event: 'issue_comment',
    secret: SECRET,
    payload: issueCommentPayload(action, issue, written, gitea),
  });
}

describe('/done comments on the issue', () => {
  it('never counts a /done from anyone but the assigned agent’s Gitea user', async () => {
    const [issue, handle, recorded] = await workingIssue();
    const dispatchText = renderDispatchComment(
      { issue: snapshotOf(issue), agent: 'claude-small', prompt: 'Do it', round: 0, dispatchId: 'd-1' },
      'Claude-Bot',
    );
    const attempts = [
      ['/done', 'mallory', '@mallory is not the Gitea user of the assigned agent'],
      ['/done', 'other-bot', '@other-bot is not the Gitea user of the assigned agent'],
      ['/done', 'coordinator', '@coordinator is not the Gitea user of the assigned agent'],
      [dispatchText, 'coordinator', 'not a /done comment'],
      ['I think I am /done', 'Claude-Bot', 'not a /done comment'],
      ['/done-ish', 'Claude-Bot', 'not a /done comment'],
    ] as const;
    for (const [body, author, reason] of attempts) {
      const result = await comment(issue, body, author);
      expect([result.status, JSON.parse(result.body)]).toEqual([200, { status: 'ignored', reason }]);
    }
    const edited = await comment(issue, '/done', 'Claude-Bot', 'edited');
    expect(JSON.parse(edited.body)).toEqual({ status: 'ignored', reason: 'a comment edited never claims completion' });

    expect((await handle.query(statusQuery)).phase).toBe('working');
    expect(recorded.gateRuns).toHaveLength(0);
  });

  it('takes a /done from the assigned agent’s user as the claim; a redelivery claims nothing more', async () => {
    const [issue, handle, recorded] = await workingIssue();
    const written = gitea.addComment(issue, '  /done\nAll gates green here.', 'claude-bot');
    const delivery = {
      event: 'issue_comment' as const,
      secret: SECRET,
      payload: issueCommentPayload('created', issue, written, gitea),
    };
    const result = await sendGiteaWebhook(webhookUrl, delivery);
    expect(result.status).toBe(202);
    expect(JSON.parse(result.body)).toMatchObject({ status: 'accepted', workflowIds: [snapshotOf(issue).key] });

    await untilPhase(handle, 'passed');
    await eventually(
      async () => recorded.reports.map((report) => report.phase),
      (phases) => phases.includes('passed'),
    );
    expect(recorded.gateRuns).toHaveLength(3);

    const again = await sendGiteaWebhook(webhookUrl, delivery);
    expect([again.status, JSON.parse(again.body).status]).toEqual([200, 'rejected']);
    expect(recorded.gateRuns).toHaveLength(3);
    // A new /done on a passed issue is refused by the workflow, and the delivery still succeeds.
    const late = await comment(issue, '/done', 'Claude-Bot');
    expect(late.status).toBe(200);
    expect(JSON.parse(late.body)).toMatchObject({ status: 'rejected', reason: expect.stringContaining('passed') });
  });

  it('answers no-workflow for a /done on an issue nothing runs for', async () => {
    const issue = gitea.addIssue({ owner: 'acme', repo: uniqueName('idle') });
    const result = await comment(issue, '/done', 'Claude-Bot');
    expect([result.status, JSON.parse(result.body).status]).toEqual([200, 'no-workflow']);
  });

  it('answers 503 when Temporal does not answer, so the delivery shows as failed', async () => {
    const unreachable = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const config = loadConfig({ GITEA_WEBHOOK_SECRET: SECRET });
    const app = createApp({
      client: unreachable,
      config,
      log: createLogger('silent'),
      agents,
      temporalDeadlineMs: 500,
    });
    const down = await listen(app, 0, '127.0.0.1');
    try {
      const issue = gitea.addIssue({ owner: 'acme', repo: uniqueName('down') });
      const written = gitea.addComment(issue, '/done', 'Claude-Bot');
      const result = await sendGiteaWebhook(`http://127.0.0.1:${(down.address() as AddressInfo).port}/webhook/gitea`, {
        event: 'issue_comment',
        secret: SECRET,
        payload: issueCommentPayload('created', issue, written, gitea),
      });
      expect(result.status).toBe(503);
    } finally {
      await closeServer(down);
      await unreachable.connection.close();
    }
  });

  it('rejects a malformed comment payload and ignores pull-request comments', () => {
    expect(routeComment({ action: 'created' }).kind).toBe('invalid');
    const issue = gitea.addIssue({ owner: 'acme', repo: 'prs' });
    const written = gitea.addComment(issue, '/done', 'Claude-Bot');
    const payload = { ...issueCommentPayload('created', issue, written, gitea), is_pull: true };
    expect(routeComment(payload)).toEqual({ kind: 'ignore', reason: 'pull-request comments never claim completion' });
  });
});
