/**
 * `npm run bench`: every benchmark of the coordinator in one table, goal against measured, PASS or MISS.
 *
 * - lifecycle: BENCH_ISSUES (500) issues assigned through signed webhooks to the real receiver, a `command` agent
 *   and three gates that are all `true`, the real activities on a worker in a child process, the embedded dev
 *   server on a SQLite file (WAL). Issues/s from the first webhook until all are `passed`, and CPU per issue.
 * - floor (bench/floor.ts): the same number of the cheapest workflows of the same shape on the same server, with
 *   and without the four processes: what no design of the coordinator can beat on this machine.
 * - open issues held: BENCH_OPEN (1000) issues blocked on an open blocker, every one in the worker's cache.
 * - the receiver (bench/receiver.ts) and gate parallelism (bench/gates.ts) benchmarks.
 * Everything shares this machine's cores: the load generator, the receiver, the worker and the dev server.
 */
import { cpus, loadavg } from 'node:os';
import { ensureTemporalCli } from '../src/temporal/cli';
import { runGatesBench } from './gates';
import { measureFloor } from './floor';
import { buildBundle, lifecycleThroughput, openIssuesHeld } from './lifecycle';
import { RECEIVER_BENCH_RATE, runReceiverBench } from './receiver';

interface Row {
  figure: string;
  goal: string;
  measured: string;
  pass?: boolean;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

/** CPU ms per issue by process, their sum, and the rate that sum allows on every core of this machine. */
function cpuPerIssue(byProcess: Record<string, number>): string {
  const total = Object.values(byProcess).reduce((a, b) => a + b, 0);
  const parts = Object.entries(byProcess).map(([name, value]) => `${name} ${value.toFixed(0)}`);
  return `${parts.join(' + ')} = ${total.toFixed(0)} ms CPU (≤ ${((cpus().length * 1000) / total).toFixed(1)}/s on ${cpus().length} cores)`;
}

async function main(): Promise<number> {
  const started = performance.now();
  const issues = Number(process.env.BENCH_ISSUES ?? 500);
  const open = Number(process.env.BENCH_OPEN ?? 1000);
  const load = loadavg()[0]!.toFixed(2);
  const cli = await ensureTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH || undefined });
  const bundle = await buildBundle();
  const rows: Row[] = [];

  const section = async (name: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      rows.push({ figure: name, goal: '', measured: `failed: ${(error as Error).message}`, pass: false });
    }
  };

  // First: the receiver's latency is the figure most disturbed by what earlier sections leave running.
  await section('receiver', async () => {
    const receiver = await runReceiverBench();
    const r = receiver.receiver;
    rows.push(
      {
        figure: `receiver at ${RECEIVER_BENCH_RATE}/s offered`,
        goal: 'p99 < 25 ms, all 202',
        measured: `${r.perSecond.toFixed(0)}/s, p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, ${r.statuses[202] ?? 0}/${r.sent} 202`,
        pass: receiver.goalMet,
      },
      {
        figure: 'receiver ÷ bare verify+parse',
        goal: '',
        measured: `p50 ${(r.p50 / receiver.baseline.p50).toFixed(1)}x, p99 ${(r.p99 / receiver.baseline.p99).toFixed(1)}x`,
      },
      // Without a dev server of its own (BENCH_RECEIVER_URL), the benchmark cannot see the server's CPU.
      ...(r.cpuMsPerDelivery && !Number.isNaN(r.cpuMsPerDelivery.server)
        ? [
            {
              figure: `receiver: CPU per delivery`,
              goal: '',
              measured:
                `dev server ${ms(r.cpuMsPerDelivery.server)} (${((r.cpuMsPerDelivery.server * RECEIVER_BENCH_RATE) / 1000).toFixed(2)} cores at ${RECEIVER_BENCH_RATE}/s), ` +
                `receiver + load ${ms(r.cpuMsPerDelivery.process)}`,
            },
          ]
        : []),
      ...(receiver.floor
        ? [
            {
              figure: 'client only (no HTTP): the floor',
              goal: '',
              measured: `p50 ${ms(receiver.floor.p50)}, p99 ${ms(receiver.floor.p99)}`,
            },
          ]
        : []),
    );
  });

  await section('lifecycle', async () => {
    const life = await lifecycleThroughput(cli.path, bundle, issues);
    console.log('lifecycle:', JSON.stringify(life));
    rows.push(
      {
        figure: `lifecycle: ${issues} issues to passed`,
        goal: '≥ 20 issues/s',
        measured: `${life.issuesPerSecond.toFixed(1)} issues/s`,
        pass: life.issuesPerSecond >= 20,
      },
      {
        figure: 'webhook → workflow running',
        goal: '',
        measured: `p50 ${ms(life.webhookToRunning.p50)}, p99 ${ms(life.webhookToRunning.p99)}`,
      },
      {
        figure: `claim → verdict (${life.claimToVerdict.sampled} histories)`,
        goal: '',
        measured: `p50 ${ms(life.claimToVerdict.p50)}, p99 ${ms(life.claimToVerdict.p99)}`,
      },
      {
        figure: 'lifecycle: CPU per issue',
        goal: '',
        measured: cpuPerIssue(life.cpuMsPerIssue),
      },
    );
  });

  await section('floor', async () => {
    for (const floor of await measureFloor(cli.path, issues)) {
      rows.push({
        figure: `floor: start + 4 activities, ${floor.spawnProcesses ? '4 × `true` spawned' : 'no processes'}`,
        goal: '',
        measured:
          `${floor.perSecond.toFixed(1)} workflows/s; ` +
          cpuPerIssue({ server: floor.serverCpuMs, 'client+worker': floor.workerCpuMs }),
      });
    }
  });

  await section('open issues held', async () => {
    const held = await openIssuesHeld(cli.path, bundle, open);
    console.log('open issues held:', JSON.stringify(held));
    rows.push(
      {
        figure: `open issues held: ${held.workflows} blocked, ${held.cachedWorkflows} cached`,
        goal: '≤ 0.5 MB RSS each',
        measured: `${held.rssPerWorkflowMb.toFixed(3)} MB RSS each (${held.baselineRssMb.toFixed(0)} → ${held.loadedRssMb.toFixed(0)} MB)`,
        pass: held.rssPerWorkflowMb <= 0.5,
      },
      {
        figure: 'open issues held: main-thread heap',
        goal: '',
        measured: `${held.heapPerWorkflowMb.toFixed(3)} MB each (workflow isolates are in RSS only)`,
      },
    );
  });

  await section('gates', async () => {
    const [sleep, cpu] = await runGatesBench();
    rows.push(
      {
        figure: 'gates: 4 × sleep 1 s in parallel',
        goal: 'speedup ≥ 3.6',
        measured: `${sleep!.speedup.toFixed(2)} (${(sleep!.sum / 1000).toFixed(2)} s solo in ${(sleep!.wall / 1000).toFixed(2)} s)`,
        pass: sleep!.speedup >= 3.6,
      },
      {
        figure: 'gates: 4 × CPU-bound in parallel',
        goal: `≤ ${cpus().length} cores`,
        measured: `${cpu!.speedup.toFixed(2)} (${(cpu!.sum / 1000).toFixed(2)} s solo in ${(cpu!.wall / 1000).toFixed(2)} s)`,
      },
    );
  });

  console.log(
    `\nmachine: ${cpus().length} cores, node ${process.version}, load average ${load} at start, ` +
      `${loadavg()[0]!.toFixed(2)} at end; ${((performance.now() - started) / 1000).toFixed(0)} s in all\n`,
  );
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => Object.values(row)[i].length), 8));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 4)).join('  ');
  console.log(line(['FIGURE', 'GOAL', 'MEASURED', 'RESULT']));
  for (const row of rows) {
    console.log(line([row.figure, row.goal, row.measured, row.pass === undefined ? '' : row.pass ? 'PASS' : 'MISS']));
  }
  return rows.some((row) => row.pass === false) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
