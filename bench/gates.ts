/**
 * `npm run bench:gates`: do the gates really run in parallel? Four sleep-bound gates (1 s each) and four CPU-bound
 * gates (fixed work), each run solo and then all together through `runVerification`, the code the CLI uses and
 * the activity's `runPlannedGate` underneath. Speedup = sum of solo times ÷ parallel wall time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { GATE_KINDS } from '../src/domain/types';
import type { GatePlan, PlannedGate } from '../src/gates/plan';
import { runPlannedGate } from '../src/gates/run-gate';
import { runVerification } from '../src/gates/verify';

const CPU_WORK = 'let h = 0; for (let i = 0; i < 1e8; i++) h = (h * 31 + i) | 0; console.log(h);';

/** One gate of each kind running `command`; only the exit code matters here (no parsing, no coverage report). */
function plan(dir: string, command: string[]): GatePlan {
  const gates: PlannedGate[] = GATE_KINDS.map((gate) => ({
    gate,
    command,
    timeoutMs: 120_000,
    tool: 'generic',
    source: 'operator',
  }));
  return { dir, project: 'unknown', coverageThreshold: 0, gates };
}

async function measure(name: string, gatePlan: GatePlan) {
  const solo: number[] = [];
  for (const gate of gatePlan.gates) {
    const started = performance.now();
    const result = await runPlannedGate(gatePlan, gate);
    solo.push(performance.now() - started);
    if (result.exitCode !== 0) throw new Error(`${name} ${gate.gate} exited ${result.exitCode}: ${result.outputTail}`);
  }
  const started = performance.now();
  const verification = await runVerification(gatePlan, 1);
  const wall = performance.now() - started;
  if (verification.gates.some((gate) => gate.exitCode !== 0)) throw new Error(`${name}: a gate failed in parallel`);
  const sum = solo.reduce((a, b) => a + b, 0);
  return { name, solo, sum, wall, speedup: sum / wall };
}

/** Sleep-bound row first, then CPU-bound: what `npm run bench:gates` prints and `npm run bench` tabulates. */
export async function runGatesBench(): Promise<Awaited<ReturnType<typeof measure>>[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-gates-'));
  try {
    return [
      await measure('sleep-bound (4 × sleep 1)', plan(dir, ['sleep', '1'])),
      await measure('cpu-bound (4 × fixed loop)', plan(dir, [process.execPath, '-e', CPU_WORK])),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const rows = await runGatesBench();
  console.log(`machine: ${cpus().length} cores, node ${process.version}`);
  for (const row of rows) {
    console.log(
      `${row.name.padEnd(28)} solo: ${row.solo.map((ms) => `${(ms / 1000).toFixed(2)}s`).join(' ')}  ` +
        `sum of solo: ${(row.sum / 1000).toFixed(2)}s  parallel wall: ${(row.wall / 1000).toFixed(2)}s  ` +
        `speedup: ${row.speedup.toFixed(2)}`,
    );
  }
  const sleep = rows[0]!;
  console.log(`goal: sleep-bound speedup >= 3.6 — ${sleep.speedup >= 3.6 ? 'met' : 'NOT met'}`);
  return sleep.speedup >= 3.6 ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
