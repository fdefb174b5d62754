import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import pino from 'pino';
import request from 'supertest';
import { createActivities } from '../../src/activities';
import { loadConfig, type Config } from '../../src/config';
import { parseCoordinatorFile } from '../../src/config-file';
import { createLogger } from '../../src/logger';
import { createApp } from '../../src/receiver/app';
import { BlockedByAttr, IssueKeyAttr, IssueRepoAttr } from '../../src/temporal/search-attributes';
import { connectToTestServer, createTestWorker, uniqueName, type TemporalTestContext } from '../helpers/temporal';
import { giteaBody, giteaHeaders, issueEventType, issuePayload, type IssueFixture } from '../helpers/gitea-webhook';

const SECRET = 'current-webhook-secret';
const PREVIOUS = 'previous-webhook-secret';
const silent = createLogger('silent');

let ctx: TemporalTestContext;
let worker: Worker;
let workerRun: Promise<void>;
let config: Config;

beforeAll(async () => {
  ctx = await connectToTestServer();
  const activities = createActivities({ config: loadConfig({}), file: parseCoordinatorFile({}), log: silent });
  worker = await createTestWorker(ctx.nativeConnection, activities);
  workerRun = worker.run();
  config = loadConfig({
    TEMPORAL_TASK_QUEUE: worker.options.taskQueue,
    GITEA_WEBHOOK_SECRET: SECRET,
    GITEA_WEBHOOK_SECRET_PREVIOUS: PREVIOUS,
    WEBHOOK_MAX_BODY_BYTES: String(64 * 1024),
  });
});
afterAll(async () => {
  worker.shutdown();
  await workerRun;
  await ctx.close();
});

const app = (overrides: Partial<Parameters<typeof createApp>[0]> = {}) =>
  createApp({ client: ctx.client, config, log: silent, ...overrides });

/** A fresh issue per test, so that tests never see each other's workflows. */
function freshIssue(fixture: IssueFixture = {}): IssueFixture & { key: string } {
  const owner = uniqueName('acme');
  return { owner, repo: 'Widgets', number: 42, ...fixture, key: `${owner}/widgets#${fixture.number ?? 42}` };
}

function deliver(target: ReturnType<typeof app>, action: string, issue: IssueFixture, body?: string, secret = SECRET) {
  const raw = body ?? giteaBody(issuePayload(action, issue));
  const event = issueEventType(action);
  return request(target)
    .post('/webhook/gitea')
    .set(giteaHeaders(event, raw, secret))
    .send(raw);
}

interface RecordedSignal {
  name: string;
  arg: Record<string, unknown>;
}

async function signalsOf(handle: WorkflowHandle): Promise<RecordedSignal[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const signaled = event.workflowExecutionSignaledEventAttributes;
    if (!signaled) return [];
    const data = signaled.input?.payloads?.[0]?.data;
    return [{ name: signaled.signalName!, arg: data ? JSON.parse(Buffer.from(data).toString()) : undefined }];
  });
}

async function runsOf(workflowId: string, expectedRunId: string): Promise<string[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const runs: string[] = [];
    for await (const run of ctx.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(run.runId);
    if (runs.includes(expectedRunId)) return runs;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`visibility never listed ${workflowId}`);
}

/** Real HTTP for bodies supertest would re-encode (it serialises a Buffer sent as JSON). */
async function postBytes(target: ReturnType<typeof app>, headers: Record<string, string>, body: Buffer) {
  const server = target.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/webhook/gitea`, { method: 'POST', headers, body });
    return { status: res.status, body: await res.json() };
  } finally {
    server.close();
    server.closeAllConnections();
  }
}

/** Signals received during a workflow task are buffered until it completes: wait for them. */
async function waitForSignals(handle: WorkflowHandle, count: number): Promise<RecordedSignal[]> {
  let signals = await signalsOf(handle);
  for (let attempt = 0; attempt < 50 && signals.length < count; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    signals = await signalsOf(handle);
  }
  return signals;
}

async function workflowExists(workflowId: string): Promise<boolean> {
  try {
    await ctx.client.workflow.getHandle(workflowId).describe();
    return true;
  } catch {
    return false;
  }
}

describe('POST /webhook/gitea routing into Temporal', () => {
  it('starts the issue workflow on assigned, answering 202 only once Temporal holds it', async () => {
    const issue = freshIssue({ assignees: ['bot'], title: 'Add a widget' });
    const res = await deliver(app(), 'assigned', issue);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'accepted', issueKey: issue.key, workflowIds: [issue.key] });

    const handle = ctx.client.workflow.getHandle(issue.key);
    const description = await handle.describe();
    expect(description.type).toBe('issueWorkflow');
    expect(description.taskQueue).toBe(worker.options.taskQueue);
    expect(description.typedSearchAttributes.get(IssueKeyAttr)).toBe(issue.key);
    expect(description.typedSearchAttributes.get(IssueRepoAttr)).toBe(issue.key.split('#')[0]);
    expect(await description.staticSummary()).toBe(`${issue.key}: Add a widget`);
    const [signal] = await signalsOf(handle);
    expect(signal).toMatchObject({
      name: 'issueChanged',
      arg: {
        change: 'assigned',
        issue: { key: issue.key, assignees: ['bot'], body: 'Needs a widget.\n\nDone when it spins.' },
      },
    });
    expect(signal!.arg.dedupeKey).toMatch(/^[0-9a-f]{32}$/);
  });

  it('gives a redelivery, a Replay and concurrent duplicates one workflow run and one dedupe key', async () => {
    const issue = freshIssue({ assignees: ['bot'] });
    const body = giteaBody(issuePayload('assigned', issue));
    const target = app();
    const concurrent = await Promise.all(Array.from({ length: 8 }, () => deliver(target, 'assigned', issue, body)));
    // A Replay: same body, new delivery UUID, from a receiver instance that never saw the first one.
    const replay = await deliver(app(), 'assigned', issue, body);
    expect([...concurrent, replay].map((res) => res.status)).toEqual(Array(9).fill(202));

    const handle = ctx.client.workflow.getHandle(issue.key);
    const { runId } = await handle.describe();
    expect(await runsOf(issue.key, runId)).toEqual([runId]);
    const signals = await waitForSignals(handle, 1);
    expect(new Set(signals.map((signal) => signal.arg.dedupeKey)).size).toBe(1);
    // Concurrent identical deliveries share one Temporal call; the Replay adds the one duplicate the workflow drops.
    expect(signals.length).toBeLessThanOrEqual(2);
  });

  it.each([
    ['unassigned', 'unassigned'],
    ['edited', 'edited'],
    ['reopened', 'reopened'],
    ['label_updated', 'labeled'],
    ['label_cleared', 'labeled'],
  ])('signals %s to a running workflow, and starts none when there is none', async (action, change) => {
    const target = app();
    const issue = freshIssue({ assignees: ['bot'] });
    const orphan = freshIssue();
    const none = await deliver(target, action, orphan);
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ status: 'no-workflow' });
    expect(await workflowExists(orphan.key)).toBe(false);

    expect((await deliver(target, 'assigned', issue)).status).toBe(202);
    const res = await deliver(target, action, { ...issue, title: 'Renamed', labels: ['bug'] });
    expect(res.status).toBe(202);
    const signals = await waitForSignals(ctx.client.workflow.getHandle(issue.key), 2);
    expect(signals.map((signal) => signal.arg.change)).toEqual(['assigned', change]);
    expect(signals[1]!.arg.issue).toMatchObject({ title: 'Renamed', labels: ['bug'] });
  });

  it('on closed, signals the issue workflow and every open workflow it blocks', async () => {
    const target = app();
    const blocker = freshIssue({ assignees: ['bot'] });
    const dependant = freshIssue({ number: 43 });
    expect((await deliver(target, 'assigned', blocker)).status).toBe(202);
    const dependantHandle = await ctx.client.workflow.start('issueWorkflow', {
      workflowId: dependant.key,
      taskQueue: worker.options.taskQueue,
      args: [
        {
          issue: {
            key: dependant.key,
            owner: dependant.owner!,
            repo: 'widgets',
            number: 43,
            title: 'After',
            body: '',
            labels: [],
            state: 'open',
            assignees: [],
          },
        },
      ],
      typedSearchAttributes: [{ key: BlockedByAttr, value: [blocker.key, 'other/repo#1'] }],
    });
    for (let i = 0; i < 50; i++) {
      if ((await ctx.client.workflow.count(`BlockedBy = '${blocker.key}'`)).count === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const res = await deliver(target, 'closed', { ...blocker, state: 'closed' });
    expect(res.status).toBe(202);
    expect(res.body.workflowIds.sort()).toEqual([blocker.key, dependant.key].sort());
    const own = await waitForSignals(ctx.client.workflow.getHandle(blocker.key), 2);
    expect(own.map((signal) => signal.name)).toContain('issueClosed');
    const theirs = await waitForSignals(dependantHandle, 1);
    expect(theirs).toEqual([{ name: 'blockerClosed', arg: { dedupeKey: expect.any(String), blocker: blocker.key } }]);
  });

  it('answers 2xx without any effect for events and actions it does not handle', async () => {
    const issue = freshIssue();
    const target = app();
    const opened = await deliver(target, 'opened', issue);
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({ status: 'ignored' });
    const push = '{"ref":"refs/heads/main"}';
    const unknownEvent = await request(target)
      .post('/webhook/gitea')
      .set(giteaHeaders('push', push, SECRET))
      .send(push);
    expect(unknownEvent.status).toBe(200);
    const unknownAction = await deliver(target, 'transmogrified', issue);
    expect(unknownAction.body).toMatchObject({ status: 'ignored', reason: "action 'transmogrified' is not handled" });
    expect(await workflowExists(issue.key)).toBe(false);
  });
});

describe('POST /webhook/gitea rejections', () => {
  const issue = freshIssue({ assignees: ['bot'] });
  const body = giteaBody(issuePayload('assigned', issue));
  const good = giteaHeaders('issue_assign', body, SECRET);
  const post = (headers: Record<string, string>, payload: string | Buffer = body) =>
    request(app()).post('/webhook/gitea').set(headers).send(payload);
  const without = (...names: string[]) =>
    Object.fromEntries(Object.entries(good).filter(([name]) => !names.includes(name)));
  const bare = (signature: string) => ({ ...without('X-Hub-Signature-256'), 'X-Gitea-Signature': signature });

  afterAll(async () => {
    // None of the rejected deliveries below may have reached Temporal.
    expect(await workflowExists(issue.key)).toBe(false);
  });

  it.each([
    ['no signature header', () => without('X-Gitea-Signature', 'X-Hub-Signature-256')],
    [
      'an empty signature (a hook without a secret)',
      () => ({ ...good, 'X-Gitea-Signature': '', 'X-Hub-Signature-256': '' }),
    ],
    ['a signature one char short', () => bare(good['X-Gitea-Signature']!.slice(0, -1))],
    ['a signature one char long', () => bare(`${good['X-Gitea-Signature']}a`)],
    ['a non-hex signature', () => bare(`${good['X-Gitea-Signature']!.slice(0, -1)}z`)],
    ['a prefixed value in the bare header', () => bare(`sha256=${good['X-Gitea-Signature']}`)],
    ['a wrong secret', () => giteaHeaders('issue_assign', body, 'not-the-secret')],
  ])('401 for %s', async (_case, headers) => {
    const res = await post(headers());
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: 'invalid signature' });
  });

  it('401 for a body re-serialised after signing', async () => {
    const res = await post(good, JSON.stringify(JSON.parse(body)));
    expect(res.status).toBe(401);
  });

  it('401 for a request without a body', async () => {
    const res = await request(app()).post('/webhook/gitea').set(good);
    expect(res.status).toBe(401);
  });

  it('401 for everything when no secret is configured', async () => {
    const unsecured = app({ config: loadConfig({ TEMPORAL_TASK_QUEUE: worker.options.taskQueue }) });
    const res = await request(unsecured).post('/webhook/gitea').set(good).send(body);
    expect(res.status).toBe(401);
    expect(res.body.error).toMatch(/no webhook secret/);
  });

  it('415 for a form-encoded body', async () => {
    const form = `payload=${encodeURIComponent(body)}`;
    const res = await post(
      { ...giteaHeaders('issue_assign', form, SECRET), 'Content-Type': 'application/x-www-form-urlencoded' },
      form,
    );
    expect(res.status).toBe(415);
    expect(res.body.error).toMatch(/application\/json/);
  });

  it('413 for a body over the limit, and for a gzip bomb once inflated past it', async () => {
    const big = JSON.stringify({ action: 'assigned', padding: 'x'.repeat(70 * 1024) });
    expect((await post(giteaHeaders('issue_assign', big, SECRET), big)).status).toBe(413);
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(100 * 1024);
    const started = Date.now();
    const res = await postBytes(
      app(),
      { ...giteaHeaders('issue_assign', bomb, SECRET), 'Content-Encoding': 'gzip' },
      bomb,
    );
    expect(res.status).toBe(413);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('accepts a small gzip-compressed delivery, signed over the inflated bytes', async () => {
    const small = freshIssue();
    const raw = giteaBody(issuePayload('opened', small));
    const res = await postBytes(
      app(),
      { ...giteaHeaders('issues', raw, SECRET), 'Content-Encoding': 'gzip' },
      gzipSync(raw),
    );
    expect(res.status).toBe(200);
  });

  it('400 for malformed JSON', async () => {
    const broken = body.slice(0, -2);
    const res = await post(giteaHeaders('issue_assign', broken, SECRET), broken);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'malformed JSON' });
  });

  it('4xx, not a crash, for 10k-deep JSON', async () => {
    const deep = `{"action":"assigned","issue":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const res = await post(giteaHeaders('issue_assign', deep, SECRET), deep);
    expect(res.status).toBe(422);
    const deeper = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    expect((await post(giteaHeaders('issue_assign', deeper, SECRET), deeper)).status).toBe(422);
  });

  it('422 for a handled event whose payload fails its schema', async () => {
    const payload = issuePayload('assigned', issue) as { issue: Record<string, unknown> };
    payload.issue.state = 'sideways';
    const raw = giteaBody(payload);
    const res = await post(giteaHeaders('issue_assign', raw, SECRET), raw);
    expect(res.status).toBe(422);
    expect(res.body.problems).toEqual([expect.stringContaining('issue.state')]);
  });

  it('accepts the previous secret during a rotation', async () => {
    const rotated = freshIssue({ assignees: ['bot'] });
    expect((await deliver(app(), 'assigned', rotated, undefined, PREVIOUS)).status).toBe(202);
  });
});

describe('when Temporal cannot be reached', () => {
  let unreachable: Client;
  beforeAll(() => {
    // A real client whose server is gone: port 1 refuses connections.
    unreachable = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  });
  afterAll(async () => unreachable.connection.close());

  it('answers 503 within the short deadline instead of hanging past Gitea’s 5 s', async () => {
    const target = app({ client: unreachable, temporalDeadlineMs: 500 });
    const started = Date.now();
    const res = await deliver(target, 'assigned', freshIssue({ assignees: ['bot'] }));
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: 'Temporal is unavailable; the delivery was not recorded' });
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('answers 503 to a close, which signals the issue and its dependants, without an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      const target = app({ client: unreachable, temporalDeadlineMs: 500 });
      const res = await deliver(target, 'closed', freshIssue({ state: 'closed' }));
      expect(res.status).toBe(503);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  });

  it('reports not ready, while staying live', async () => {
    const target = app({ client: unreachable });
    expect((await request(target).get('/ready')).status).toBe(503);
    expect((await request(target).get('/health')).status).toBe(200);
    expect((await request(app()).get('/ready')).status).toBe(200);
  });
});

describe('observability', () => {
  it('exposes deliveries by event/action/outcome, latency and signature failures as Prometheus text', async () => {
    const target = app();
    await deliver(target, 'opened', freshIssue());
    await deliver(target, 'opened', freshIssue(), undefined, 'wrong');
    const res = await request(target).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toContain('webhook_deliveries_total{event="issues",action="opened",outcome="ignored"} 1');
    expect(res.text).toContain('webhook_deliveries_total{event="unknown",action="unknown",outcome="unauthorized"} 1');
    expect(res.text).toContain('webhook_signature_failures_total{reason="mismatch"} 1');
    expect(res.text).toMatch(/webhook_delivery_duration_seconds_count\{outcome="ignored"\} 1/);
  });

  it('logs delivery id, event, action and issue key as one JSON line each, never a secret or signature', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const log = pino({ level: 'info' }, sink);
    const forged = 'Title\n{"level":30,"msg":"webhook accepted","issueKey":"forged/x#1"}\r\u001b[2K';
    const issue = freshIssue({ assignees: ['bot'], title: forged });
    const raw = giteaBody(issuePayload('assigned', issue));
    const headers = giteaHeaders('issue_assign', raw, SECRET);
    expect((await request(app({ log })).post('/webhook/gitea').set(headers).send(raw)).status).toBe(202);
    await request(app({ log }))
      .post('/webhook/gitea')
      .set(giteaHeaders('issue_assign', raw, 'wrong'))
      .send(raw);

    const entries = lines.map((line) => JSON.parse(line));
    const accepted = entries.filter((entry) => entry.msg === 'webhook accepted');
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toMatchObject({
      deliveryId: headers['X-Gitea-Delivery'],
      event: 'issue_assign',
      action: 'assigned',
      issueKey: issue.key,
      title: forged,
    });
    const text = lines.join('\n');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(headers['X-Gitea-Signature']);
  });
});
