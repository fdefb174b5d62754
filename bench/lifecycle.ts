/**
 * Lifecycle throughput and open issues held, on the embedded dev server (SQLite file, WAL) with the real receiver
 * and a real worker in a child process: see `npm run bench` (bench/index.ts).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ensureTemporalCli } from '../src/temporal/cli';
import { cpuMeter } from './cpu';
import { startCoordinatorStack, issueKey, OWNER, REPO } from '../test/helpers/coordinator-stack';

export interface LifecycleResult {
  issues: number;
  issuesPerSecond: number;
  webhookToRunning: { p50: number; p99: number };
  claimToVerdict: { p50: number; p99: number; sampled: number };
  /**
   * CPU ms per issue: the dev server; the worker with the agent and gate processes it ran; this process (the
   * receiver, the load generator and the progress polling).
   */
  cpuMsPerIssue: Record<'server' | 'worker' | 'receiver', number>;
}

export interface OpenIssuesResult {
  workflows: number;
  cachedWorkflows: number;
  rssPerWorkflowMb: number;
  heapPerWorkflowMb: number;
  baselineRssMb: number;
  loadedRssMb: number;
}

export async function buildBundle(): Promise<string> {
  const noop = () => undefined;
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../src/workflows'),
    logger: { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error },
  });
  const path = join(mkdtempSync(join(tmpdir(), 'bench-bundle-')), 'workflow-bundle.js');
  writeFileSync(path, bundle.code);
  return path;
}

export const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

const CONCURRENT_DELIVERIES = 20;

export async function lifecycleThroughput(
  cliPath: string,
  bundlePath: string,
  issues: number,
): Promise<LifecycleResult> {
  // A fast command agent: `true` exits at once (its exit is its claim); the gates are `true` too.
  const stack = await startCoordinatorStack({ cliPath, bundlePath, agentCommand: ['true'] });
  try {
    const worker = await stack.startWorker({ MAX_CONCURRENT_ACTIVITIES: process.env.BENCH_ACTIVITY_SLOTS ?? '32' });
    // Warm-up: one issue end to end, so that bundle loading and first connections are not measured.
    await stack.assign(1_000_000);
    await stack.waitForPhase([1_000_000], 'passed', 60_000);

    const numbers = Array.from({ length: issues }, (_, i) => i + 1);
    const webhookMs: number[] = [];
    const started = performance.now();
    const cpu = cpuMeter({ server: stack.devServer.process.pid, worker: worker.pid, receiver: process.pid });
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENT_DELIVERIES }, async () => {
        while (next < numbers.length) {
          const { status, ms } = await stack.assign(numbers[next++]!);
          if (status !== 202) throw new Error(`webhook answered ${status}`);
          webhookMs.push(ms);
        }
      }),
    );
    await waitForPassedCount(stack.client, stack.taskQueue, issues + 1, 300_000);
    const seconds = (performance.now() - started) / 1000;
    const cpuMs = cpu();
    webhookMs.sort((a, b) => a - b);
    const verdicts = await claimToVerdict(stack.client, numbers.slice(0, 100));
    return {
      issues,
      issuesPerSecond: issues / seconds,
      webhookToRunning: { p50: quantile(webhookMs, 0.5), p99: quantile(webhookMs, 0.99) },
      claimToVerdict: { p50: quantile(verdicts, 0.5), p99: quantile(verdicts, 0.99), sampled: verdicts.length },
      cpuMsPerIssue: {
        server: cpuMs.server! / issues,
        worker: cpuMs.worker! / issues,
        receiver: cpuMs.receiver! / issues,
      },
    };
  } finally {
    await stack.close();
  }
}

async function waitForPassedCount(client: Client, taskQueue: string, expected: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  const query = `TaskQueue = '${taskQueue}' AND IssuePhase = 'passed'`;
  for (;;) {
    const { count } = await client.workflow.count(query);
    if (count >= expected) return;
    if (Date.now() > deadline) {
      const stuck = await client.workflow.list({ query: `TaskQueue = '${taskQueue}' AND IssuePhase != 'passed'` });
      const phases: string[] = [];
      for await (const run of stuck) phases.push(`${run.workflowId}: ${String(run.searchAttributes?.IssuePhase)}`);
      throw new Error(
        `only ${count} of ${expected} issues passed in ${timeoutMs} ms; ${phases.slice(0, 10).join(', ')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * From each history: the agent's claim (its `dispatchAgent` completing: a command agent's exit is its claim) to
 * the verdict (the workflow task that handled the last gate result and moved the issue to `passed`).
 */
async function claimToVerdict(client: Client, numbers: number[]): Promise<number[]> {
  const durations: number[] = [];
  for (const number of numbers) {
    const history = await client.workflow.getHandle(issueKey(number)).fetchHistory();
    const events = history.events ?? [];
    const scheduled = new Map<string, string>();
    let claimAt: number | undefined;
    let lastGateAt: number | undefined;
    let verdictAt: number | undefined;
    const time = (event: (typeof events)[number]) =>
      Number(event.eventTime?.seconds ?? 0) * 1000 + (event.eventTime?.nanos ?? 0) / 1e6;
    for (const event of events) {
      const id = String(event.eventId);
      const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
      if (name) scheduled.set(id, name);
      const completed = event.activityTaskCompletedEventAttributes;
      if (completed) {
        const activity = scheduled.get(String(completed.scheduledEventId));
        if (activity === 'dispatchAgent' && claimAt === undefined) claimAt = time(event);
        if (activity === 'runGate') lastGateAt = time(event);
      }
      if (event.workflowTaskCompletedEventAttributes && lastGateAt !== undefined && verdictAt === undefined) {
        verdictAt = time(event);
      }
    }
    if (claimAt !== undefined && verdictAt !== undefined) durations.push(verdictAt - claimAt);
  }
  return durations.sort((a, b) => a - b);
}

/**
 * 1,000 issues blocked on one open blocker, all held by one worker with room in its cache for every one:
 * (RSS, heap) with all of them cached minus the same worker before any was started, per workflow.
 */
export async function openIssuesHeld(cliPath: string, bundlePath: string, count: number): Promise<OpenIssuesResult> {
  // A fast command agent: `true` exits at once (its exit is its claim); the gates are `true` too.
  const stack = await startCoordinatorStack({ cliPath, bundlePath, agentCommand: ['true'] });
  try {
    const worker = await stack.startWorker({ MAX_CACHED_WORKFLOWS: String(count + 100) });
    const blocker = stack.gitea.addIssue({ owner: OWNER, repo: REPO, number: 100_000, title: 'The blocker' });
    // Warm the worker with one workflow: the first one loads the bundle into a V8 context shared by the others.
    const warm = await stack.assign(99_999);
    if (warm.status !== 202) throw new Error(`webhook answered ${warm.status}`);
    await stack.waitForPhase([99_999], 'passed', 60_000);
    const baseline = await worker.memory();

    const numbers = Array.from({ length: count }, (_, i) => i + 1);
    for (const number of numbers) {
      stack.gitea.addIssue({
        owner: OWNER,
        repo: REPO,
        number,
        title: `Blocked issue ${number}`,
        body: `Depends on #${blocker.number}.`,
        assignees: ['bot'],
      });
      stack.gitea.addDependency({ owner: OWNER, repo: REPO, number }, blocker);
    }
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENT_DELIVERIES }, async () => {
        while (next < numbers.length) {
          const { status } = await stack.assign(numbers[next++]!);
          if (status !== 202) throw new Error(`webhook answered ${status}`);
        }
      }),
    );
    const query = `TaskQueue = '${stack.taskQueue}' AND IssuePhase = 'blocked'`;
    const deadline = Date.now() + 300_000;
    let loaded = await worker.memory();
    let blocked = 0;
    while ((blocked = (await stack.client.workflow.count(query)).count) < count || loaded.cachedWorkflows < count + 1) {
      if (Date.now() > deadline) {
        throw new Error(`after 300 s: ${blocked} of ${count} blocked, ${loaded.cachedWorkflows} workflows cached`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      loaded = await worker.memory();
    }
    loaded = await worker.memory();
    const mb = (bytes: number) => bytes / 1024 / 1024;
    return {
      workflows: count,
      cachedWorkflows: loaded.cachedWorkflows,
      rssPerWorkflowMb: mb(loaded.rss - baseline.rss) / count,
      heapPerWorkflowMb: mb(loaded.heapUsed - baseline.heapUsed) / count,
      baselineRssMb: mb(baseline.rss),
      loadedRssMb: mb(loaded.rss),
    };
  } finally {
    await stack.close();
  }
}

if (require.main === module) {
  void (async () => {
    const cli = await ensureTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH || undefined });
    const bundle = await buildBundle();
    console.log(await lifecycleThroughput(cli.path, bundle, Number(process.env.BENCH_ISSUES ?? 20)));
    console.log(await openIssuesHeld(cli.path, bundle, Number(process.env.BENCH_OPEN ?? 50)));
    process.exit(0);
  })().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
