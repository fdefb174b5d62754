/**
 * A coordinator worker in a process of its own (the SDK's Runtime is one per process, and a SIGKILL must hit only
 * the worker): the real createWorker, createActivities and reconciliation Schedule, configured from the
 * environment like `npm run worker`, plus WORKFLOW_BUNDLE (a prebuilt bundle) and MAX_CACHED_WORKFLOWS (and
 * MAX_CONCURRENT_ACTIVITIES). Started with `startWorkerChild`; it answers
 * `{ type: 'memory' }` over IPC with its RSS, heap and cached-workflow count (after a GC when --expose-gc is on).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, makeTelemetryFilterString, NativeConnection, Runtime } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { loadCoordinatorFile } from '../../src/config-file';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { ensureReconcileSchedule } from '../../src/temporal/reconcile-schedule';
import { createWorker } from '../../src/worker';

export interface WorkerMemory {
  rss: number;
  heapUsed: number;
  cachedWorkflows: number;
}

type ChildMessage = { type: 'ready' } | ({ type: 'memory' } & WorkerMemory);

export interface WorkerChild {
  process: ChildProcess;
  pid: number;
  memory(): Promise<WorkerMemory>;
  /** SIGKILL, as a crash or the OOM killer would; resolves when the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM: the worker drains and exits. */
  stop(): Promise<void>;
}

export async function startWorkerChild(env: Record<string, string>, startTimeoutMs = 60_000): Promise<WorkerChild> {
  const child = fork(__filename, [], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('worker child did not start in time')), startTimeoutMs);
    child.once('exit', (code) => reject(new Error(`worker child exited with ${code} while starting`)));
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  return {
    process: child,
    pid: child.pid!,
    memory: () =>
      new Promise((resolve) => {
        const onMessage = (message: ChildMessage) => {
          if (message.type !== 'memory') return;
          child.off('message', onMessage);
          resolve({ rss: message.rss, heapUsed: message.heapUsed, cachedWorkflows: message.cachedWorkflows });
        };
        child.on('message', onMessage);
        child.send({ type: 'memory' });
      }),
    kill: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM'),
  };
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const log = createLogger(config.logLevel, 'worker-child');
  // Quiet: the fault tests make the SDK warn on purpose (connection refused while the dev server is down).
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }), forward: {} },
    },
  });
  const address = config.temporal.address!;
  const file = loadCoordinatorFile(config.configFile);
  const clientConnection = await Connection.connect({ address });
  const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
  const connection = await NativeConnection.connect({ address });
  const maxCached = Number(process.env.MAX_CACHED_WORKFLOWS ?? 0);
  const worker = await createWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities: createActivities({ config, file, log, temporalClient: client }),
    workflowBundlePath: process.env.WORKFLOW_BUNDLE,
    overrides: {
      ...(maxCached > 0 && { maxCachedWorkflows: maxCached }),
      ...(process.env.MAX_CONCURRENT_ACTIVITIES && {
        maxConcurrentActivityTaskExecutions: Number(process.env.MAX_CONCURRENT_ACTIVITIES),
      }),
    },
  });
  process.on('message', (message: { type: string }) => {
    if (message.type !== 'memory') return;
    (globalThis as { gc?: () => void }).gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    process.send!({ type: 'memory', rss, heapUsed, cachedWorkflows: worker.getStatus().numCachedWorkflows });
  });
  // As `npm run worker` does: the reconciliation Schedule (RECONCILE_INTERVAL) exists once a worker has started.
  await ensureReconcileSchedule(client, config, file, log);
  const running = worker.run();
  process.send!({ type: 'ready' });
  await running;
  await connection.close();
  await clientConnection.close();
  process.exit(0);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
