/**
 * The floor under the lifecycle benchmark: what the embedded dev server and one worker on this machine sustain for
 * the cheapest workflow of the coordinator's shape (start, one agent activity, three parallel gate activities, done)
 * with none of the coordinator's work (no receiver, parsing, assignment, reports, search attributes or Gitea).
 * No design of the coordinator can beat it here, so it bounds what the lifecycle goal can ask of this machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { ensureTemporalCli } from '../src/temporal/cli';
import { startDevServer } from '../src/temporal/dev-server';
import { cpuMeter } from './cpu';
import { floorActivities } from './floor-activities';

export interface FloorResult {
  spawnProcesses: boolean;
  workflows: number;
  perSecond: number;
  /** CPU ms per workflow: the dev server, and this process (client and worker). */
  serverCpuMs: number;
  workerCpuMs: number;
}

const IN_FLIGHT = 20;

export async function measureFloor(cliPath: string, workflows: number): Promise<FloorResult[]> {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Already installed by an earlier benchmark in this process.
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-floor-'));
  const devServer = await startDevServer({ cliPath, uiPort: false, dbFile: join(dir, 'temporal.sqlite') });
  const connection = await Connection.connect({ address: devServer.address });
  const nativeConnection = await NativeConnection.connect({ address: devServer.address });
  try {
    const client = new Client({ connection, namespace: devServer.namespace });
    const taskQueue = `floor-${Date.now().toString(36)}`;
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace: devServer.namespace,
      taskQueue,
      workflowsPath: require.resolve('./floor-workflows'),
      activities: floorActivities,
    });
    return await worker.runUntil(async () => {
      const results: FloorResult[] = [];
      for (const spawnProcesses of [true, false]) {
        const run = async (id: string) =>
          client.workflow.execute('floorLifecycle', { taskQueue, workflowId: id, args: [spawnProcesses] });
        await run(`warm-${spawnProcesses}`);
        const cpu = cpuMeter({ server: devServer.process.pid, worker: process.pid });
        const started = performance.now();
        let next = 0;
        await Promise.all(
          Array.from({ length: IN_FLIGHT }, async () => {
            while (next < workflows) await run(`floor-${spawnProcesses}-${next++}`);
          }),
        );
        const seconds = (performance.now() - started) / 1000;
        const used = cpu();
        results.push({
          spawnProcesses,
          workflows,
          perSecond: workflows / seconds,
          serverCpuMs: used.server! / workflows,
          workerCpuMs: used.worker! / workflows,
        });
      }
      return results;
    });
  } finally {
    await nativeConnection.close();
    await connection.close();
    await devServer.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void (async () => {
    const cli = await ensureTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH || undefined });
    for (const r of await measureFloor(cli.path, Number(process.env.BENCH_ISSUES ?? 500))) {
      console.log(
        `floor (${r.spawnProcesses ? '4 processes spawned' : 'no processes'}): ${r.workflows} workflows, ` +
          `${r.perSecond.toFixed(1)}/s; CPU per workflow: dev server ${r.serverCpuMs.toFixed(1)} ms, ` +
          `client + worker ${r.workerCpuMs.toFixed(1)} ms`,
      );
    }
    process.exit(0);
  })().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
