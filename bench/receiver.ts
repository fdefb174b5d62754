/**
 * `npm run bench:receiver`: signed `assigned` deliveries at a fixed rate against the receiver and a Temporal dev
 * server, then the same load against a bare Express app that only verifies and parses; prints both and the ratio.
 *
 * Latency is measured from each delivery's *scheduled* send time (open loop), so a slow response delays none of
 * the later measurements (no coordinated omission). Everything runs on this machine: the load generator, the
 * receiver and the dev server share its cores.
 *
 * BENCH_RATE (200/s), BENCH_SECONDS (10); BENCH_RECEIVER_URL + GITEA_WEBHOOK_SECRET to drive a receiver that is
 * already running (e.g. `npm start`) instead of starting one here.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import express from 'express';
import { loadConfig } from '../src/config';
import { verifySignature } from '../src/gitea/signature';
import { createLogger } from '../src/logger';
import { createApp } from '../src/receiver/app';
import { routeDelivery } from '../src/receiver/commands';
import { dispatch } from '../src/receiver/dispatch';
import { ensureTemporalCli } from '../src/temporal/cli';
import { startDevServer, type DevServer } from '../src/temporal/dev-server';
import { cpuMeter } from './cpu';
import { giteaBody, giteaHeaders, issuePayload } from '../test/helpers/gitea-webhook';

const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP = 50;

export interface RunResult {
  label: string;
  sent: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  statuses: Record<number, number>;
  /** CPU ms per delivery of the dev server and of this process (load generator and receiver), when measured. */
  cpuMsPerDelivery?: { server: number; process: number };
}

export interface ReceiverBenchResult {
  receiver: RunResult;
  baseline: RunResult;
  floor?: RunResult;
  /** p99 < 25 ms at the offered rate, every delivery 202. */
  goalMet: boolean;
}

/** The figures `npm run bench:receiver` prints; `npm run bench` shows them in its table. */
export async function runReceiverBench(): Promise<ReceiverBenchResult> {
  const secret = process.env.BENCH_RECEIVER_URL ? process.env.GITEA_WEBHOOK_SECRET : 'bench-secret';
  if (!secret) throw new Error('BENCH_RECEIVER_URL needs GITEA_WEBHOOK_SECRET, the secret that receiver verifies with');
  const cleanups: Array<() => Promise<void>> = [];
  try {
    let receiverUrl = process.env.BENCH_RECEIVER_URL;
    let directClient: ((number: number) => Promise<number>) | undefined;
    let serverPid: number | undefined;
    const run = `${Date.now().toString(36)}`;
    if (!receiverUrl) {
      const cli = await ensureTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH || undefined });
      const devServer: DevServer = await startDevServer({ cliPath: cli.path, uiPort: false });
      cleanups.unshift(() => devServer.stop());
      serverPid = devServer.process.pid;
      const connection = await Connection.connect({ address: devServer.address });
      cleanups.unshift(() => connection.close());
      const config = loadConfig({ GITEA_WEBHOOK_SECRET: secret, TEMPORAL_TASK_QUEUE: `bench-${Date.now()}` });
      const client = new Client({ connection, namespace: devServer.namespace });
      const server = await listen(createApp({ client, config, log: createLogger('silent') }));
      cleanups.unshift(() => close(server));
      receiverUrl = urlOf(server);
      directClient = direct(client, config.temporal.taskQueue, `direct-${run}`);
    }
    const bare = await listen(bareApp(secret));
    cleanups.unshift(() => close(bare));

    const receiver = await load('receiver + Temporal', overHttp(receiverUrl, secret, `bench-${run}`), serverPid);
    const baseline = await load('bare verify + parse', overHttp(urlOf(bare), secret, `bare-${run}`));
    const floor = directClient ? await load('client only (no HTTP)', directClient, serverPid) : undefined;
    const goalMet = receiver.p99 < 25 && receiver.perSecond >= RATE * 0.95 && receiver.statuses[202] === receiver.sent;
    return { receiver, baseline, floor, goalMet };
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }
}

/** The floor: what any receiver must do before touching Temporal. */
function bareApp(secret: string): express.Express {
  const app = express();
  app.post('/webhook/gitea', express.raw({ type: 'application/json', limit: '1mb' }), (req, res) => {
    const verdict = verifySignature(req.body, { giteaSignature: req.headers['x-gitea-signature'] }, [secret]);
    if (!verdict.ok) return void res.status(401).json({ error: 'invalid signature' });
    JSON.parse((req.body as Buffer).toString('utf8'));
    res.status(202).json({ status: 'accepted' });
  });
  return app;
}

const assignedBody = (owner: string, number: number) =>
  giteaBody(issuePayload('assigned', { owner, number, assignees: ['bot'], title: `Bench issue ${number}` }));

function overHttp(url: string, secret: string, owner: string) {
  return async (number: number) => {
    const body = assignedBody(owner, number);
    const res = await fetch(url, { method: 'POST', headers: giteaHeaders('issue_assign', body, secret), body });
    await res.arrayBuffer();
    return res.status;
  };
}

/** The same signalWithStart the receiver makes, without HTTP: the floor the Temporal server sets. */
function direct(client: Client, taskQueue: string, owner: string) {
  return async (number: number) => {
    const route = routeDelivery('issue_assign', JSON.parse(assignedBody(owner, number)), `direct-${number}`);
    if (route.kind !== 'command') throw new Error('the benchmark payload must route to a command');
    await dispatch(client, taskQueue, route.command);
    return 202;
  };
}

async function load(
  label: string,
  deliver: (number: number) => Promise<number>,
  serverPid?: number,
): Promise<RunResult> {
  for (let i = 1; i <= WARMUP; i++) await deliver(1_000_000 + i);

  const total = RATE * SECONDS;
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  const cpu = cpuMeter({ server: serverPid, process: process.pid });
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const scheduled = start + (i * 1000) / RATE;
    const wait = scheduled - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(
      deliver(i + 1).then(
        (status) => {
          latencies.push(performance.now() - scheduled);
          statuses[status] = (statuses[status] ?? 0) + 1;
        },
        (error: Error) => {
          statuses[0] = (statuses[0] ?? 0) + 1;
          if (statuses[0] === 1) console.error(`${label}: first failed request: ${String(error.cause ?? error)}`);
        },
      ),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  const used = cpu();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  const cpuMsPerDelivery = { server: used.server! / total, process: used.process! / total };
  return {
    label,
    sent: total,
    perSecond: total / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    max: at(1),
    statuses,
    cpuMsPerDelivery,
  };
}

function print(r: RunResult): void {
  console.log(
    `${r.label.padEnd(22)} ${r.sent} deliveries at ${RATE}/s offered: ${r.perSecond.toFixed(1)}/s done, ` +
      `p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, max ${r.max.toFixed(2)} ms, statuses ${JSON.stringify(r.statuses)}` +
      cpuFigures(r),
  );
}

/** CPU per delivery, and the cores it takes at the offered rate: what the dev server leaves for everything else. */
function cpuFigures(r: RunResult): string {
  const cpu = r.cpuMsPerDelivery;
  if (!cpu) return '';
  const cores = (ms: number) => ((ms * RATE) / 1000).toFixed(2);
  const server = Number.isNaN(cpu.server)
    ? ''
    : `dev server ${cpu.server.toFixed(2)} ms (${cores(cpu.server)} cores at ${RATE}/s), `;
  return `; CPU per delivery: ${server}this process ${cpu.process.toFixed(2)} ms (${cores(cpu.process)} cores)`;
}

function listen(app: express.Express): Promise<Server> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/gitea`;
}

async function main(): Promise<void> {
  const { receiver, baseline, floor, goalMet } = await runReceiverBench();
  for (const result of [receiver, baseline, floor]) if (result) print(result);
  console.log(
    `ratio receiver/bare: p50 ${(receiver.p50 / baseline.p50).toFixed(1)}x, p99 ${(receiver.p99 / baseline.p99).toFixed(1)}x`,
  );
  console.log(`goal (p99 < 25 ms at ${RATE}/s, every delivery 202): ${goalMet ? 'met' : 'NOT met'}`);
}

export const RECEIVER_BENCH_RATE = RATE;

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
