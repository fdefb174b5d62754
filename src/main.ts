/**
 * `npm start`: the whole service on one machine. Without TEMPORAL_ADDRESS it runs the embedded default, a
 * Temporal dev server persisting to a SQLite file with the Web UI; then the worker and the webhook receiver.
 * One Ctrl-C (or SIGTERM) stops all three, in reverse order, and leaves no child process.
 */
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { createActivities } from './activities';
import { loadCoordinatorFile } from './config-file';
import { loadConfigOrExit } from './config';
import { createLogger } from './logger';
import { createApp } from './receiver/app';
import { closeServer, listen } from './receiver/server';
import { ensureTemporalCli } from './temporal/cli';
import { connectionOptions } from './temporal/connection';
import { startDevServer, type DevServer } from './temporal/dev-server';
import { ensureReconcileSchedule } from './temporal/reconcile-schedule';
import { PinoSdkLogger } from './temporal/sdk-logger';
import { createWorker } from './worker';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger(config.logLevel);
  // Read before anything starts: a bad file must not leave a dev server behind.
  const file = loadCoordinatorFile(config.configFile);
  // main() owns signal handling, so that the receiver and dev server stop only after the worker has drained.
  Runtime.install({
    shutdownSignals: [],
    logger: new PinoSdkLogger(log.child({ component: 'temporal-sdk' })),
    // Off unless asked for: one machine rarely runs a Prometheus, and a fixed port would clash between checkouts.
    ...(config.workerMetricsAddress && {
      telemetryOptions: { metrics: { prometheus: { bindAddress: config.workerMetricsAddress } } },
    }),
  });
  const cleanups: Array<() => Promise<void>> = [];
  let stopping = false;

  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error) => log.error({ err: error }, 'shutdown step failed'));
    }
  };
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await stopAll();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    await start();
  } catch (error) {
    // Whatever did start (the dev server above all) must not outlive a failed start-up.
    stopping = true;
    log.fatal({ err: error }, `start-up failed: ${error instanceof Error ? error.message : String(error)}`);
    await stopAll();
    process.exit(1);
  }

  async function start(): Promise<void> {
    let address = config.temporal.address;
    let devServer: DevServer | undefined;
    if (!address) {
      const cli = await ensureTemporalCli({ cliPath: config.temporal.cliPath, log });
      log.info({ cli: cli.path, version: cli.version, server: cli.serverVersion }, 'temporal CLI ready');
      devServer = await startDevServer({
        cliPath: cli.path,
        port: config.temporal.devPort,
        uiPort: config.temporal.uiPort,
        dbFile: config.temporal.dbFile,
        namespace: config.temporal.namespace,
        log,
      });
      cleanups.push(() => devServer!.stop());
      address = devServer.address;
      log.info({ address, ui: devServer.uiUrl, db: config.temporal.dbFile }, 'temporal dev server running');
    }
    if (stopping) return;

    const connection = await Connection.connect(connectionOptions({ address, security: config.temporal.security }));
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: config.temporal.namespace });

    const nativeConnection = await NativeConnection.connect(
      connectionOptions({ address, security: config.temporal.security }),
    );
    cleanups.push(() => nativeConnection.close());
    const worker = await createWorker({
      connection: nativeConnection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      activities: createActivities({ config, file, log, temporalClient: client }),
    });
    const workerRun = worker.run();
    cleanups.push(async () => {
      worker.shutdown();
      await workerRun;
    });
    workerRun.catch((error) => {
      log.fatal({ err: error }, 'worker failed');
      void shutdown('worker-failure');
    });
    log.info({ taskQueue: config.temporal.taskQueue }, 'worker polling');

    // Not fatal: webhooks still work without it, and the next start-up tries again.
    await ensureReconcileSchedule(client, config, file, log).catch((error: unknown) =>
      log.error({ err: error }, 'the reconciliation schedule could not be set up'),
    );
    const server: Server = await listen(
      createApp({ client, config, log, agents: file.agents }),
      config.receiver.port,
      config.receiver.host,
    );
    cleanups.push(() => closeServer(server));
    log.info(
      { receiver: `http://localhost:${config.receiver.port}`, webhook: '/webhook/gitea', ui: devServer?.uiUrl },
      'coordinator ready',
    );
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
