import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import request from 'supertest';
import { signClaim } from '../../src/agents/claim-signature';
import { loadConfig } from '../../src/config';
import { agentSchema, type AgentConfig } from '../../src/config-file';
import type { IssueSnapshot } from '../../src/domain/types';
import { createLogger } from '../../src/logger';
import { createApp } from '../../src/receiver/app';
import { statusQuery } from '../../src/workflows/messages';
import { connectToTestServer, createTestWorker, type TemporalTestContext } from '../helpers/temporal';
import {
  eventually,
  Fakes,
  gateResult,
  testIssue,
  type Recorded,
  type Script,
  startAssigned,
} from './workflow-harness';

const SECRET = 'agent-webhook-secret';
const agents: AgentConfig[] = [
  {
    name: 'claude-small',
    driver: 'webhook',
    url: 'http://127.0.0.1:9/tasks',
    contextWindow: 200_000,
    capability: 'hard',
  },
  {
    name: 'other-agent',
    driver: 'webhook',
    url: 'http://127.0.0.1:9/tasks',
    contextWindow: 100_000,
    capability: 'hard',
  },
].map((agent) => agentSchema.parse(agent));

let ctx: TemporalTestContext;
let worker: Worker;
let running: Promise<void>;
const fakes = new Fakes();
const silent = createLogger('silent');

beforeAll(async () => {
  ctx = await connectToTestServer();
  worker = await createTestWorker(ctx.nativeConnection, fakes.activities);
  running = worker.run();
});
afterAll(async () => {
  worker.shutdown();
  await running;
  await ctx.close();
});

const config = () => loadConfig({ TEMPORAL_TASK_QUEUE: worker.options.taskQueue, AGENT_WEBHOOK_SECRET: SECRET });
const app = (client = ctx.client) =>
  createApp({ client, config: config(), log: silent, agents, temporalDeadlineMs: 1500 });

async function startWorking(script: Script = {}): Promise<[IssueSnapshot, WorkflowHandle, Recorded]> {
  const issue = testIssue();
  const recorded = fakes.script(issue.key, script);
  const handle = await startAssigned(ctx.client, worker.options.taskQueue, issue);
  await eventually(
    () => handle.query(statusQuery),
    (status) => status.phase === 'working',
  );
  return [issue, handle, recorded];
}

function postClaim(
  body: unknown,
  options: { secret?: string; nowMs?: number; raw?: string; target?: ReturnType<typeof app> } = {},
) {
  const raw = options.raw ?? JSON.stringify(body);
  return request(options.target ?? app())
    .post('/agents/claim')
    .set('Content-Type', 'application/json')
    .set(signClaim(raw, options.secret ?? SECRET, options.nowMs))
    .send(raw);
}

describe('POST /agents/claim', () => {
  it('verifies the claim and answers the verdict; the reported context usage is recorded', async () => {
    const [issue, handle, recorded] = await startWorking();
    const claim = { issueKey: issue.key, agent: 'claude-small', note: 'all green', contextTokensUsed: 50_000 };
    const raw = JSON.stringify(claim);
    const nowMs = Date.now();
    const res = await postClaim(claim, { raw, nowMs });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ outcome: 'passed', verification: { passed: true } });
    expect((await handle.query(statusQuery)).contextUsage).toEqual({ usedTokens: 50_000, windowTokens: 200_000 });
    expect(recorded.gateRuns).toHaveLength(3);

    // A verbatim replay within the time window is the same Update: same verdict, the gates do not run again.
    const replay = await postClaim(claim, { raw, nowMs });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(res.body);
    expect(recorded.gateRuns).toHaveLength(3);

    // A new claim on a passed issue is refused by the workflow.
    const late = await postClaim({ ...claim, note: 'again' });
    expect(late.status).toBe(409);
    expect(late.body.reason).toContain('the issue is passed');
  });

  it('verifies an identical claim body sent again in a later round (it is not a replay)', async () => {
    let failing = true;
    const [issue, , recorded] = await startWorking({
      gates: ['lint'],
      gate: async ({ gate }) => gateResult(gate, failing ? 'failed' : 'passed'),
    });
    const claim = { issueKey: issue.key, agent: 'claude-small' };
    const first = await postClaim(claim, { nowMs: Date.now() - 2_000 });
    expect(first.body.outcome).toBe('continue');
    failing = false;
    const second = await eventually(
      () => postClaim(claim),
      (res) => res.status === 200,
    );
    expect(second.body).toMatchObject({ outcome: 'passed', verification: { round: 2 } });
    expect(recorded.gateRuns).toHaveLength(2);
  });

  it('answers a failed round with the continuation prompt', async () => {
    const [issue] = await startWorking({ gates: ['lint'], gate: async ({ gate }) => gateResult(gate, 'failed') });
    const res = await postClaim({ issueKey: issue.key.toUpperCase(), agent: 'claude-small' });
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('continue');
    expect(res.body.continuationPrompt).toContain('REJECTED');
  });

  it('refuses a claim from an agent that is not the assigned one (409), in the workflow itself', async () => {
    const [issue, handle, recorded] = await startWorking();
    const res = await postClaim({ issueKey: issue.key, agent: 'other-agent' });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      error: 'claim rejected',
      reason: expect.stringContaining('other-agent is not the agent assigned'),
    });
    expect((await handle.query(statusQuery)).phase).toBe('working');
    expect(recorded.gateRuns).toHaveLength(0);
  });

  it('answers 404 when no workflow runs for the issue', async () => {
    const res = await postClaim({ issueKey: 'acme/nothing-here#404', agent: 'claude-small' });
    expect(res.status).toBe(404);
  });

  it.each([
    ['a wrong secret', { secret: 'not-the-secret' }, 'mismatch'],
    ['a timestamp older than 5 minutes', { nowMs: Date.now() - 6 * 60_000 }, 'stale-timestamp'],
    ['a timestamp from the future', { nowMs: Date.now() + 6 * 60_000 }, 'stale-timestamp'],
  ])('answers 401 for %s', async (_what, options, reason) => {
    const res = await postClaim({ issueKey: 'acme/w#1', agent: 'claude-small' }, options);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'invalid signature', reason });
  });

  it('answers 401 without a timestamp or for a body changed after signing', async () => {
    const raw = JSON.stringify({ issueKey: 'acme/w#1', agent: 'claude-small' });
    const headers = signClaim(raw, SECRET);
    const noTimestamp = await request(app())
      .post('/agents/claim')
      .set('Content-Type', 'application/json')
      .set('X-Coordinator-Signature', headers['X-Coordinator-Signature']!)
      .send(raw);
    expect(noTimestamp.body).toEqual({ error: 'invalid signature', reason: 'no-timestamp' });
    const tampered = await request(app())
      .post('/agents/claim')
      .set('Content-Type', 'application/json')
      .set(headers)
      .send(raw.replace('acme/w#1', 'acme/w#2'));
    expect([tampered.status, tampered.body.reason]).toEqual([401, 'mismatch']);
  });

  it('answers 401 when AGENT_WEBHOOK_SECRET is not configured', async () => {
    const target = createApp({ client: ctx.client, config: loadConfig({}), log: silent, agents });
    const res = await postClaim({ issueKey: 'acme/w#1', agent: 'claude-small' }, { target });
    expect(res.body).toEqual({ error: 'invalid signature', reason: 'no-secret' });
  });

  it.each([
    ['not JSON', '{"issueKey":', 'the body is not JSON'],
    ['a malformed issue key', JSON.stringify({ issueKey: 'widgets 42', agent: 'claude-small' }), 'schema'],
    ['an unknown field', JSON.stringify({ issueKey: 'a/b#1', agent: 'claude-small', extra: 1 }), 'schema'],
    [
      'negative token counts',
      JSON.stringify({ issueKey: 'a/b#1', agent: 'claude-small', contextTokensUsed: -1 }),
      'schema',
    ],
    ['an agent outside the pool', JSON.stringify({ issueKey: 'a/b#1', agent: 'stranger' }), 'no agent named stranger'],
  ])('answers 422 for %s', async (_what, raw, error) => {
    const res = await postClaim(undefined, { raw });
    expect(res.status).toBe(422);
    expect(res.body.error).toContain(error);
  });

  it('answers 415 for another content type and 413 for a body over 64 KiB', async () => {
    const form = await request(app()).post('/agents/claim').type('form').send('issueKey=a');
    expect(form.status).toBe(415);
    const raw = JSON.stringify({ issueKey: 'a/b#1', agent: 'claude-small', note: 'x'.repeat(70 * 1024) });
    const large = await postClaim(undefined, { raw });
    expect([large.status, large.body.error]).toEqual([413, 'body exceeds 65536 bytes']);
  });

  it('answers 503 quickly when Temporal is unreachable', async () => {
    const unreachable = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const started = Date.now();
    const res = await postClaim({ issueKey: 'acme/w#1', agent: 'claude-small' }, { target: app(unreachable) });
    expect(res.status).toBe(503);
    expect(res.body.error).toBe('Temporal is unavailable; the claim was not recorded');
    expect(Date.now() - started).toBeLessThan(5_000);
    await unreachable.connection.close();
  });
});
