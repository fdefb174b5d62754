import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities';
import { loadCoordinatorFile } from './config-file';
import type { CoordinatorActivities } from './activities/contract';
import { loadConfigOrExit } from './config';
import { createLogger } from './logger';
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
    ...options.overrides,
  });
}

/** `npm run worker`: a worker process on its own, against TEMPORAL_ADDRESS. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger(config.logLevel, 'worker');
  Runtime.install({ logger: new PinoSdkLogger(log.child({ component: 'temporal-sdk' })) });
  const address = config.temporal.address;
  if (!address) {
    log.fatal('TEMPORAL_ADDRESS must be set to run the worker on its own (npm start runs everything together)');
    process.exit(1);
  }
  const connection = await NativeConnection.connect({ address });
  const worker = await createWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities: createActivities({ config, file: loadCoordinatorFile(config.configFile), log }),
  });
  log.info({ address, taskQueue: config.temporal.taskQueue }, 'worker polling');
  // Worker.run() installs SIGINT/SIGTERM handlers that drain in-flight tasks before it resolves.
  await worker.run();
  await connection.close();
  log.info('worker stopped');
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
