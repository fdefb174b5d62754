/**
 * Fault: 10,000 randomised bad requests against the receiver process (`npm run receiver`'s entry point): bad and
 * missing signatures, the wrong secret, truncated JSON, signed payloads that break the schema, wrong content
 * types and encodings, oversized bodies, wrong paths and methods. Only 4xx answers, no crash, bounded RSS, no
 * workflow started; a good delivery afterwards is still accepted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getFreePort } from '../../src/temporal/dev-server';
import { giteaBody, giteaHeaders, issuePayload } from '../helpers/gitea-webhook';
import { connectToTestServer, testServer, uniqueName, type TemporalTestContext } from '../helpers/temporal';

const SECRET = 'fault-secret';
const MAX_BODY = 16 * 1024;
const REQUESTS = 10_000;
const CONCURRENCY = 32;

/** mulberry32: a seeded generator, so that a failing run can be repeated with FAULT_SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type BadRequest = { kind: string; path?: string; method?: string; headers: Record<string, string>; body?: Buffer };

function badRequest(random: () => number, owner: string): BadRequest {
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
  const good = giteaBody(
    issuePayload('assigned', { owner, number: 1 + Math.floor(random() * 1000), assignees: ['bot'] }),
  );
  const signed = (body: string, secret = SECRET) => ({ ...giteaHeaders('issue_assign', body, secret) });
  const noise = () => randomBytes(1 + Math.floor(random() * 2048));
  switch (Math.floor(random() * 9)) {
    case 0: {
      const headers = signed(good);
      delete headers['X-Gitea-Signature'];
      delete headers['X-Hub-Signature-256'];
      return { kind: 'unsigned', headers, body: Buffer.from(good) };
    }
    case 1: {
      const forged = randomBytes(32).toString('hex');
      return {
        kind: 'forged signature',
        headers: { ...signed(good), 'X-Gitea-Signature': forged, 'X-Hub-Signature-256': `sha256=${forged}` },
        body: Buffer.from(good),
      };
    }
    case 2:
      return { kind: 'wrong secret', headers: signed(good, 'not-the-secret'), body: Buffer.from(good) };
    case 3: {
      const truncated = good.slice(0, Math.floor(random() * (good.length - 1)));
      return { kind: 'truncated JSON', headers: signed(truncated), body: Buffer.from(truncated) };
    }
    case 4: {
      const payload = JSON.parse(good) as Record<string, unknown>;
      const field = pick(['issue', 'repository']);
      if (random() < 0.5) delete payload[field];
      else payload[field] = pick([null, 'text', 42, []]);
      const body = giteaBody(payload);
      return { kind: `schema: ${field}`, headers: signed(body), body: Buffer.from(body) };
    }
    case 5:
      return {
        kind: 'content type',
        headers: { ...signed(good), 'Content-Type': pick(['text/plain', 'application/xml', 'multipart/form-data']) },
        body: Buffer.from(good),
      };
    case 6: {
      const body = Buffer.concat([Buffer.from(good), Buffer.alloc(MAX_BODY, 0x20)]);
      const signature = createHmac('sha256', SECRET).update(body).digest('hex');
      return {
        kind: 'oversized',
        headers: { ...signed(good), 'X-Gitea-Signature': signature, 'X-Hub-Signature-256': `sha256=${signature}` },
        body,
      };
    }
    case 7:
      return { kind: 'bad gzip', headers: { ...signed(good), 'Content-Encoding': 'gzip' }, body: noise() };
    default:
      return pick([
        { kind: 'wrong path', path: '/webhook/github', headers: signed(good), body: Buffer.from(good) },
        { kind: 'wrong method', method: 'GET', headers: {} },
        { kind: 'wrong method', method: 'PUT', headers: signed(good), body: Buffer.from(good) },
      ]);
  }
}

const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

let receiver: ChildProcess;
let ctx: TemporalTestContext;
afterAll(async () => {
  receiver?.kill('SIGKILL');
  await ctx?.close();
});

test('10,000 randomised bad requests: only 4xx, no crash, bounded RSS, no workflow started', async () => {
  const seed = Number(process.env.FAULT_SEED ?? Date.now() % 1_000_000);
  const port = await getFreePort();
  const taskQueue = uniqueName('bad-requests');
  const owner = uniqueName('flood');
  ctx = await connectToTestServer();
  // A small old space: a leak of even a few KB per request would end in an out-of-memory crash within the run.
  receiver = spawn(
    process.execPath,
    ['--max-old-space-size=96', '--import', 'tsx', join(__dirname, '..', '..', 'src', 'receiver', 'server.ts')],
    {
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: testServer().address,
        TEMPORAL_TASK_QUEUE: taskQueue,
        GITEA_WEBHOOK_SECRET: SECRET,
        WEBHOOK_MAX_BODY_BYTES: String(MAX_BODY),
        RECEIVER_HOST: '127.0.0.1',
        RECEIVER_PORT: String(port),
        LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if ((await fetch(`${base}/health`).catch(() => undefined))?.status === 200) break;
    if (i > 300) throw new Error('the receiver did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const random = prng(seed);
  const statusesByKind = new Map<string, Set<number>>();
  const unexpected: string[] = [];
  let sent = 0;
  let rssAfterWarmup = 0;
  const rssSeries: number[] = [];
  const worker = async () => {
    while (sent < REQUESTS) {
      const request = badRequest(random, owner);
      const index = ++sent;
      const response = await fetch(`${base}${request.path ?? '/webhook/gitea'}`, {
        method: request.method ?? 'POST',
        headers: request.headers,
        body: request.body,
      });
      await response.arrayBuffer();
      const statuses = statusesByKind.get(request.kind) ?? new Set<number>();
      statusesByKind.set(request.kind, statuses.add(response.status));
      if (response.status < 400 || response.status >= 500) unexpected.push(`${request.kind} → ${response.status}`);
      if (index === 1000) rssAfterWarmup = rssKb(receiver.pid!);
      if (index % 1000 === 0) rssSeries.push(Math.round(rssKb(receiver.pid!) / 1024));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const rssAtEnd = rssKb(receiver.pid!);
  const summary = [...statusesByKind].map(([kind, statuses]) => `${kind}: ${[...statuses].join('/')}`).join('; ');
  console.log(`tried: ${REQUESTS} bad requests (seed ${seed}, FAULT_SEED to repeat): ${summary}`);

  expect(unexpected.slice(0, 10)).toEqual([]);
  expect(receiver.exitCode).toBeNull();
  expect((await fetch(`${base}/health`)).status).toBe(200);
  const growthMb = (rssAtEnd - rssAfterWarmup) / 1024;
  expect(growthMb).toBeLessThan(64);
  expect((await ctx.client.workflow.count(`TaskQueue = '${taskQueue}'`)).count).toBe(0);

  const good = giteaBody(issuePayload('assigned', { owner, number: 1, assignees: ['bot'] }));
  const accepted = await fetch(`${base}/webhook/gitea`, {
    method: 'POST',
    headers: giteaHeaders('issue_assign', good, SECRET),
    body: good,
  });
  expect(accepted.status).toBe(202);
  console.log(
    `verified: every answer 4xx, the receiver still up and healthy; RSS ${(rssAfterWarmup / 1024).toFixed(0)} MB ` +
      `after 1,000 → ${(rssAtEnd / 1024).toFixed(0)} MB after ${REQUESTS} (per 1,000: ${rssSeries.join(', ')} MB; ` +
      `growth ${growthMb.toFixed(1)} MB < 64, old space capped at 96 MB); no workflow started; a good delivery ` +
      'afterwards: 202',
  );
});
