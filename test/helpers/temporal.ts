import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';

export interface TestServer {
  address: string;
  namespace: string;
  bundlePath: string;
  cliPath: string;
}

/** The dev server and workflow bundle that test/setup/global-setup.ts started for this run. */
export function testServer(): TestServer {
  const { TEST_TEMPORAL_ADDRESS, TEST_TEMPORAL_NAMESPACE, TEST_WORKFLOW_BUNDLE, TEST_TEMPORAL_CLI } = process.env;
  if (!TEST_TEMPORAL_ADDRESS || !TEST_WORKFLOW_BUNDLE || !TEST_TEMPORAL_CLI) {
    throw new Error('the jest globalSetup did not start a Temporal dev server');
  }
  return {
    address: TEST_TEMPORAL_ADDRESS,
    namespace: TEST_TEMPORAL_NAMESPACE ?? 'default',
    bundlePath: TEST_WORKFLOW_BUNDLE,
    cliPath: TEST_TEMPORAL_CLI,
  };
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export interface TemporalTestContext {
  client: Client;
  nativeConnection: NativeConnection;
  close(): Promise<void>;
}

/** A client and a native connection to the shared test server; close them in afterAll. */
export async function connectToTestServer(): Promise<TemporalTestContext> {
  const server = testServer();
  const connection = await Connection.connect({ address: server.address });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  return {
    client: new Client({ connection, namespace: server.namespace }),
    nativeConnection,
    close: async () => {
      await connection.close();
      await nativeConnection.close();
    },
  };
}

/** A worker on a unique task queue, with the shared bundle and the given activities. */
export async function createTestWorker(
  nativeConnection: NativeConnection,
  activities: object,
  overrides: Partial<WorkerOptions> = {},
): Promise<Worker> {
  const server = testServer();
  return Worker.create({
    connection: nativeConnection,
    namespace: server.namespace,
    taskQueue: uniqueName('tq'),
    workflowBundle: { codePath: server.bundlePath },
    activities,
    ...overrides,
  });
}

export interface RunningWorker {
  ctx: TemporalTestContext;
  worker: Worker;
}

/**
 * Registers beforeAll/afterAll for a test file: a client on the shared server and one running worker with the
 * given activities on a unique task queue. Read `ctx` and `worker` from the result inside tests.
 */
export function useRunningWorker(activities: object, overrides: Partial<WorkerOptions> = {}): RunningWorker {
  const state = {} as RunningWorker;
  let running: Promise<void> | undefined;
  beforeAll(async () => {
    state.ctx = await connectToTestServer();
    state.worker = await createTestWorker(state.ctx.nativeConnection, activities, overrides);
    running = state.worker.run();
  });
  afterAll(async () => {
    state.worker?.shutdown();
    await running;
    await state.ctx?.close();
  });
  return state;
}
