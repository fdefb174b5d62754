import type { GateFinding, GateResult } from '../domain/types';
import { missingGate } from '../domain/verification';
import { coverageSummary, readCoverage } from './coverage-report';
import type { GateTool } from './detect';
import { parseEslint, parseGeneric, parseMypy, parseRuff, parseTsc } from './parsers/diagnostics';
import { parseJest, parsePytest, parseVitest } from './parsers/tests';
import type { GatePlan, PlannedGate } from './plan';
import { runCommand, type RunOutcome } from './runner';

export interface GateRunOptions {
  signal?: AbortSignal;
  onTick?: () => void;
  onSpawn?: (pid: number) => void;
  tickMs?: number;
  killGraceMs?: number;
}

const MAX_FINDINGS = 50;

const PARSERS: Record<GateTool, (output: string, dir: string) => GateFinding[]> = {
  tsc: parseTsc,
  eslint: parseEslint,
  ruff: parseRuff,
  mypy: parseMypy,
  jest: parseJest,
  vitest: parseVitest,
  pytest: parsePytest,
  generic: parseGeneric,
};

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
const NOUNS = { build: 'error', lint: 'lint error', test: 'failing test', coverage: 'failing test' } as const;

/** Runs one planned gate and turns its outcome into a `GateResult`; only exit code 0 (and coverage) passes. */
export async function runPlannedGate(
  plan: GatePlan,
  planned: PlannedGate,
  options: GateRunOptions = {},
): Promise<GateResult> {
  if (planned.unavailable) return missingGate(planned.gate, planned.unavailable);
  const startedAtMs = Date.now();
  const outcome = await runCommand({
    argv: planned.command,
    cwd: plan.dir,
    timeoutMs: planned.timeoutMs,
    ...options,
  });
  const base = {
    gate: planned.gate,
    exitCode: outcome.exitCode,
    durationMs: outcome.durationMs,
    command: planned.command,
    outputTail: outcome.tail,
  };
  if (outcome.reason === 'spawn-error') return { ...base, status: 'error', summary: outcome.error!, findings: [] };
  if (outcome.reason === 'timeout')
    return {
      ...base,
      status: 'timeout',
      summary: `killed after the ${planned.timeoutMs / 1000}s time limit`,
      findings: findingsOf(planned, outcome, plan.dir),
    };
  if (outcome.reason === 'cancelled')
    return { ...base, status: 'error', summary: 'cancelled before it finished', findings: [] };

  const findings = outcome.exitCode === 0 ? [] : findingsOf(planned, outcome, plan.dir);
  const shown = findings.slice(0, MAX_FINDINGS);
  if (planned.gate === 'coverage') {
    const report = readCoverage(plan.dir, startedAtMs, planned.report);
    if (!report) {
      const why =
        outcome.exitCode === 0
          ? 'the command wrote no coverage report'
          : `exited with code ${outcome.exitCode} and wrote no coverage report`;
      return { ...base, status: outcome.exitCode === 0 ? 'error' : 'failed', summary: why, findings: shown };
    }
    const coverage = coverageSummary(report, plan.coverageThreshold);
    const below = report.percent < plan.coverageThreshold;
    const parts = [`coverage ${report.percent}% ${below ? '<' : '>='} ${plan.coverageThreshold}%`];
    if (coverage.gaps.length) parts.push(`${plural(coverage.gaps.length, 'file')} below the threshold`);
    if (outcome.exitCode !== 0)
      parts.push(findings.length ? plural(findings.length, 'failing test') : `exited with code ${outcome.exitCode}`);
    const passed = outcome.exitCode === 0 && !below;
    return { ...base, status: passed ? 'passed' : 'failed', summary: parts.join('; '), findings: shown, coverage };
  }
  if (outcome.exitCode === 0) return { ...base, status: 'passed', summary: 'passed', findings: [] };
  const summary = findings.length
    ? plural(findings.length, NOUNS[planned.gate])
    : `exited with code ${outcome.exitCode}`;
  return { ...base, status: 'failed', summary, findings: shown };
}

function findingsOf(planned: PlannedGate, outcome: RunOutcome, dir: string): GateFinding[] {
  return PARSERS[planned.tool](`${outcome.stdout}\n${outcome.stderr}`, dir);
}
