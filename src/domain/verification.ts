import type { GateKind, GateResult, VerificationResult } from './types';

/**
 * Decides a round strictly: it passes only when every planned gate ran and passed. A planned gate with no result
 * (it crashed, was cancelled, or never ran) counts as an `error`, never as a pass; so does an empty plan.
 */
export function aggregateVerification(input: {
  round: number;
  planned: GateKind[];
  results: GateResult[];
  startedAt: string;
  durationMs: number;
}): VerificationResult {
  const byGate = new Map(input.results.map((result) => [result.gate, result]));
  const gates = input.planned.map((gate) => byGate.get(gate) ?? missingGate(gate));
  const passed = gates.length > 0 && gates.every((gate) => gate.status === 'passed');
  return { passed, round: input.round, gates, startedAt: input.startedAt, durationMs: input.durationMs };
}

export function missingGate(gate: GateKind, reason = 'the gate did not report a result'): GateResult {
  return {
    gate,
    status: 'error',
    exitCode: null,
    durationMs: 0,
    command: [],
    outputTail: '',
    summary: reason,
    findings: [],
  };
}

/** Turns a gate activity's failure into that gate's `error` result, so one crash never fails the round's others. */
export function gateErrorResult(gate: GateKind, error: unknown): GateResult {
  const message =
    error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
  return missingGate(gate, `gate crashed: ${message.slice(0, 500)}`);
}

/** The gate table for people: one row per gate, then the verdict. */
export function renderGateTable(result: VerificationResult): string {
  const rows = result.gates.map((gate) => [
    gate.gate,
    gate.status.toUpperCase(),
    `${(gate.durationMs / 1000).toFixed(1)}s`,
    gate.summary.replace(/\s+/g, ' ').slice(0, 120),
  ]);
  const header = ['GATE', 'STATUS', 'TIME', 'SUMMARY'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const format = (row: string[]) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  const verdict = !result.gates.length
    ? 'FAILED: no gates are configured for this project, so nothing vouches for it.'
    : result.passed
      ? `PASSED: all ${result.gates.length} gates passed (round ${result.round}).`
      : `FAILED: ${result.gates.filter((gate) => gate.status !== 'passed').length} of ${result.gates.length} gates did not pass (round ${result.round}).`;
  return [format(header), ...rows.map(format), '', verdict].join('\n');
}
