/**
 * One real Temporal dev server (in memory, random free port) and one workflow bundle for the whole test run.
 * Tests read them from the environment through test/helpers/temporal.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createLogger } from '../../src/logger';
import { ensureTemporalCli } from '../../src/temporal/cli';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';

declare global {
  var __TEMPORAL_DEV_SERVER__: DevServer | undefined;
}

export default async function globalSetup(): Promise<void> {
  const cli = await ensureTemporalCli({
    cliPath: process.env.TEMPORAL_CLI_PATH || undefined,
    log: createLogger('info', 'test-setup'),
  });
  const [server, bundle] = await Promise.all([
    startDevServer({ cliPath: cli.path }),
    bundleWorkflowCode({
      workflowsPath: join(__dirname, '..', '..', 'src', 'workflows', 'index.ts'),
      logger: quietLogger(),
    }),
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'coordinator-test-'));
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  globalThis.__TEMPORAL_DEV_SERVER__ = server;
  process.env.TEST_TEMPORAL_ADDRESS = server.address;
  process.env.TEST_TEMPORAL_NAMESPACE = server.namespace;
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
  process.env.TEST_TEMPORAL_CLI = cli.path;
}

function quietLogger() {
  const noop = () => undefined;
  return { log: noop, trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error };
}
