import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities';
import { loadCoordinatorFile } from './config-file';
import type { CoordinatorActivities } from './activities/contract';
import { DEFAULT_WORKER_METRICS_ADDRESS, loadConfigOrExit } from './config';
import { createLogger } from './logger';
import { connectionOptions } from './temporal/connection';
import { ensureReconcileSchedule } from './temporal/reconcile-schedule';
import { PinoSdkLogger } from './temporal/sdk-logger';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: CoordinatorActivities;
  /** A prebuilt bundle (`npm run build`); the worker bundles from source when absent. */
  workflowBundlePath?: string;
  overrides?: Partial<WorkerOptions>;
}

/**
 * On SIGTERM the worker stops polling and gives in-flight activities this long to finish before cancelling them
 * (the SDK default is 0). Below Compose's stop_grace_period, so that the drain completes before a SIGKILL.
 */
export const SHUTDOWN_GRACE_TIME = '20s';

/** Present only beside the compiled worker (`npm run build`); from source, the worker bundles at start. */
export const DEFAULT_BUNDLE_PATH = join(__dirname, 'workflow-bundle.js');

export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  const bundlePath = options.workflowBundlePath ?? (existsSync(DEFAULT_BUNDLE_PATH) ? DEFAULT_BUNDLE_PATH : undefined);
  const workflows = bundlePath
    ? { workflowBundle: { codePath: bundlePath } }
    : { workflowsPath: require.resolve('./workflows') };
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    ...workflows,
    shutdownGraceTime: SHUTDOWN_GRACE_TIME,
    ...options.overrides,
  });
}

/** `npm run worker`: a worker process on its own, against TEMPORAL_ADDRESS. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger(config.logLevel, 'worker');
  const metricsAddress = config.workerMetricsAddress ?? DEFAULT_WORKER_METRICS_ADDRESS;
  Runtime.install({
    logger: new PinoSdkLogger(log.child({ component: 'temporal-sdk' })),
    telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAddress } } },
  });
  const address = config.temporal.address;
  if (!address) {
    log.fatal('TEMPORAL_ADDRESS must be set to run the worker on its own (npm start runs everything together)');
    process.exit(1);
  }
  const file = loadCoordinatorFile(config.configFile);
  const endpoint = { address, security: config.temporal.security };
  const clientConnection = await Connection.connect(connectionOptions(endpoint));
  const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
  const connection = await NativeConnection.connect(connectionOptions(endpoint));
  const worker = await createWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities: createActivities({ config, file, log, temporalClient: client }),
  });
  // Not fatal: webhooks still work without it, and the next start-up tries again.
  await ensureReconcileSchedule(client, config, file, log).catch((error: unknown) =>
    log.error({ err: error }, 'the reconciliation schedule could not be set up'),
  );
  log.info(
    { address, taskQueue: config.temporal.taskQueue, metrics: `http://${metricsAddress}/metrics` },
    'worker polling',
  );
  // Worker.run() installs SIGINT/SIGTERM handlers that drain in-flight tasks before it resolves.
  await worker.run();
  await connection.close();
  await clientConnection.close();
  log.info('worker stopped');
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
