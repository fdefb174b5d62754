import { aggregateVerification, gateErrorResult } from '../domain/verification';
import type { VerificationResult } from '../domain/types';
import type { GatePlan } from './plan';
import { runPlannedGate, type GateRunOptions } from './run-gate';

/** Runs every planned gate in parallel; a gate that throws becomes that gate's `error` result. */
export async function runVerification(
  plan: GatePlan,
  round: number,
  options: GateRunOptions = {},
): Promise<VerificationResult> {
  const startedAt = new Date();
  const settled = await Promise.allSettled(plan.gates.map((gate) => runPlannedGate(plan, gate, options)));
  const results = settled.map((outcome, index) =>
    outcome.status === 'fulfilled' ? outcome.value : gateErrorResult(plan.gates[index]!.gate, outcome.reason),
  );
  return aggregateVerification({
    round,
    planned: plan.gates.map((gate) => gate.gate),
    results,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
  });
}
