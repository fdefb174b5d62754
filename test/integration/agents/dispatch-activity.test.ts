import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import { MockActivityEnvironment } from '@temporalio/testing';
import pino from 'pino';
import { createDispatchActivities } from '../../../src/activities/dispatch';
import type { DispatchInput, DispatchReceipt } from '../../../src/activities/contract';
import { dispatchMarker } from '../../../src/agents/gitea-comment';
import { loadConfig } from '../../../src/config';
import { parseCoordinatorFile } from '../../../src/config-file';
import { createGiteaClient } from '../../../src/gitea/client';
import { startFakeGitea, type FakeGitea } from '../../fakes/gitea-server';
import { isAlive, waitUntil } from '../../helpers/processes';
import { issueSnapshot } from '../../helpers/issue-snapshot';

const log = pino({ level: 'silent' });
/** The SDK's activity environment, quiet: the failures below are expected. */
const activityEnv = () => new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR', () => {}) });
const SECRET = 'agent-hook-secret-77';
const TOKEN = 'gitea-token-5521';

interface Received {
  headers: Record<string, string | string[] | undefined>;
  raw: string;
}

/** A webhook agent on 127.0.0.1 that accepts only correctly signed tasks, answering `status` otherwise. */
async function startAgentReceiver(status = 202): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`);
      const given = Buffer.from(String(req.headers['x-coordinator-signature'] ?? ''));
      const valid = given.length === expected.length && timingSafeEqual(given, expected);
      received.push({ headers: req.headers, raw });
      res.writeHead(valid ? status : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/tasks`, received };
}

const input = (over: Partial<DispatchInput> = {}): DispatchInput => ({
  issue: issueSnapshot(),
  agent: 'hook',
  prompt: 'Make the tests pass.',
  round: 0,
  dispatchId: 'acme/widgets#7:0:1',
  ...over,
});

describe('dispatchAgent', () => {
  let workspace: string;
  let gitea: FakeGitea;
  beforeEach(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'dispatch-ws-'));
    gitea = await startFakeGitea({ token: TOKEN });
    gitea.addIssue({ owner: 'acme', repo: 'widgets', number: 7 });
  });
  afterEach(async () => {
    rmSync(workspace, { recursive: true, force: true });
    await gitea.close();
  });

  function activities(
    url = 'http://127.0.0.1:9/unused',
    env: Record<string, string> = { AGENT_WEBHOOK_SECRET: SECRET },
  ) {
    const file = parseCoordinatorFile({
      agents: [
        { name: 'hook', driver: 'webhook', url, contextWindow: 200000, capability: 'hard' },
        {
          name: 'gitea-bot',
          driver: 'gitea-comment',
          giteaUser: 'agent-bot',
          contextWindow: 200000,
          capability: 'hard',
        },
        {
          name: 'cli',
          driver: 'command',
          contextWindow: 200000,
          capability: 'hard',
          command: [
            process.execPath,
            '-e',
            `let s='';process.stdin.on('data',c=>s+=c).on('end',()=>{require('fs').writeFileSync('seen.json',JSON.stringify({prompt:s,key:process.env.COORDINATOR_ISSUE_KEY}));if(s==='hang')setInterval(()=>{},1000);else console.log('{"contextTokensUsed":4200}')})`,
          ],
        },
      ],
      repositories: [{ name: 'acme/widgets', workspace }],
    });
    return createDispatchActivities({
      config: loadConfig({ GITEA_URL: gitea.url, GITEA_TOKEN: TOKEN, ...env }),
      file,
      log,
      gitea: createGiteaClient({ baseUrl: gitea.url, token: TOKEN }),
      heartbeatMs: 20,
    });
  }

  it('webhook: POSTs the signed task with its dispatch id and awaits the claim', async () => {
    const agent = await startAgentReceiver();
    try {
      const receipt: DispatchReceipt = await activityEnv().run(activities(agent.url).dispatchAgent, input());
      expect(receipt.outcome).toBe('awaiting-claim');
      expect(agent.received).toHaveLength(1);
      expect(agent.received[0]!.headers['x-coordinator-dispatch-id']).toBe('acme/widgets#7:0:1');
      expect(JSON.parse(agent.received[0]!.raw)).toMatchObject({
        dispatchId: 'acme/widgets#7:0:1',
        issueKey: 'acme/widgets#7',
        prompt: 'Make the tests pass.',
        round: 0,
      });
    } finally {
      agent.server.close();
    }
  });

  it('webhook: a refusal (4xx, here a bad signature) is final, a 5xx is retried', async () => {
    const agent = await startAgentReceiver();
    const failing = await startAgentReceiver(503);
    try {
      const wrongKey = activities(agent.url, { AGENT_WEBHOOK_SECRET: 'another-key' });
      const refused = await activityEnv()
        .run(wrongKey.dispatchAgent, input())
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ApplicationFailure);
      expect((refused as ApplicationFailure).nonRetryable).toBe(true);
      const busy = await activityEnv()
        .run(activities(failing.url).dispatchAgent, input())
        .catch((e: unknown) => e);
      expect(busy).not.toBeInstanceOf(ApplicationFailure);
      expect((busy as Error).message).toMatch(/503/);
      const unsigned = activities(agent.url, {});
      await expect(activityEnv().run(unsigned.dispatchAgent, input())).rejects.toThrow(/AGENT_WEBHOOK_SECRET/);
    } finally {
      agent.server.close();
      failing.server.close();
    }
  });

  it('gitea-comment: mentions the agent once per dispatch, even when retried', async () => {
    const dispatch = activities().dispatchAgent;
    const prompt = 'Fix it. ```js\n@Component() x\n``` Token: ' + TOKEN;
    await activityEnv().run(dispatch, input({ agent: 'gitea-bot', prompt }));
    const again: DispatchReceipt = await activityEnv().run(dispatch, input({ agent: 'gitea-bot', prompt }));
    expect(again.outcome).toBe('awaiting-claim');
    const comments = gitea.commentsOn({ owner: 'acme', repo: 'widgets', number: 7 });
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(body.startsWith(dispatchMarker('acme/widgets#7:0:1'))).toBe(true);
    expect(body).toContain('@agent-bot');
    expect(body).toContain('````text\nFix it. ```js');
    expect(body).not.toContain(TOKEN);
    await activityEnv().run(dispatch, input({ agent: 'gitea-bot', dispatchId: 'acme/widgets#7:1:1' }));
    expect(gitea.commentsOn({ owner: 'acme', repo: 'widgets', number: 7 })).toHaveLength(2);
  });

  it("gitea-comment: still mentions the agent when another user posted the dispatch's marker first", async () => {
    const issue = { owner: 'acme', repo: 'widgets', number: 7 };
    gitea.addComment(issue, `${dispatchMarker('acme/widgets#7:0:1')}\nnothing to see here`, 'mallory');
    await activityEnv().run(activities().dispatchAgent, input({ agent: 'gitea-bot' }));
    const ours = gitea.commentsOn(issue).filter((c) => c.author === 'coordinator');
    expect(ours).toHaveLength(1);
    expect(ours[0]!.body).toContain('@agent-bot');
  });

  it('command: runs in the configured workspace, and its exit is the claim', async () => {
    const receipt: DispatchReceipt = await activityEnv().run(activities().dispatchAgent, input({ agent: 'cli' }));
    expect(receipt).toMatchObject({ outcome: 'claimed', contextTokensUsed: 4200 });
    expect(JSON.parse(readFileSync(join(workspace, 'seen.json'), 'utf8'))).toEqual({
      prompt: 'Make the tests pass.',
      key: 'acme/widgets#7',
    });
  });

  it('command: activity cancellation stops the agent', async () => {
    const env = activityEnv();
    const running = env.run(activities().dispatchAgent, input({ agent: 'cli', prompt: 'hang' }));
    while (!existsSync(join(workspace, 'seen.json'))) await new Promise((resolve) => setTimeout(resolve, 20));
    env.cancel();
    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
  });

  it("command: a retry after the worker died kills the abandoned attempt's agent before starting another", async () => {
    const orphan = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    orphan.unref();
    const retry = new MockActivityEnvironment(
      {
        attempt: 2,
        heartbeatDetails: { dispatchId: 'acme/widgets#7:0:1', processGroup: orphan.pid, host: hostname() },
      },
      { logger: new DefaultLogger('ERROR', () => {}) },
    );
    const heartbeats: unknown[] = [];
    retry.on('heartbeat', (details: unknown) => heartbeats.push(details));
    const receipt: DispatchReceipt = await retry.run(activities().dispatchAgent, input({ agent: 'cli' }));
    expect(receipt.outcome).toBe('claimed');
    expect(await waitUntil(() => !isAlive(orphan.pid!), 3000)).toBe(true);
    // This attempt names its own agent's process group, for the next retry to find.
    expect(heartbeats[0]).toEqual({
      dispatchId: 'acme/widgets#7:0:1',
      processGroup: expect.any(Number),
      host: hostname(),
    });
    expect((heartbeats[0] as { processGroup: number }).processGroup).not.toBe(orphan.pid);
  });

  it('an agent outside the pool is a non-retryable failure', async () => {
    const error = await activityEnv()
      .run(activities().dispatchAgent, input({ agent: 'ghost' }))
      .catch((e: unknown) => e);
    expect((error as ApplicationFailure).nonRetryable).toBe(true);
  });
});
