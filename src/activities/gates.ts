import { existsSync } from 'node:fs';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { killAbandonedAttempt, processGroupHeartbeat, type ProcessGroupHeartbeat } from './abandoned-process';
import type { ActivityDeps } from './index';
import type { CoordinatorActivities } from './contract';
import { parseIssueKey, type IssueKey } from '../domain/issue-key';
import { missingGate } from '../domain/verification';
import { findRepositoryEntry, operatorGates, repositoryWorkspace } from '../gates/operator';
import { GateConfigError, planGates, type GatePlan } from '../gates/plan';
import { runPlannedGate } from '../gates/run-gate';

export type GateActivityDeps = Pick<ActivityDeps, 'config' | 'file' | 'log'>;

/** How often a running gate heartbeats; the workflow's heartbeatTimeout must be longer. */
export const GATE_HEARTBEAT_MS = 5_000;

/** The issue's checkout: the repository's configured workspace, else `<workspaces.root>/<owner>/<repo>`. */
export function workspaceFor(deps: GateActivityDeps, issueKey: IssueKey): string {
  const ref = parseIssueKey(issueKey);
  if (!ref) throw ApplicationFailure.nonRetryable(`not an issue key: ${issueKey}`, 'InvalidIssueKey');
  return repositoryWorkspace(deps.file, `${ref.owner}/${ref.repo}`);
}

function gatePlan(deps: GateActivityDeps, issueKey: IssueKey): GatePlan {
  const dir = workspaceFor(deps, issueKey);
  if (!existsSync(dir)) throw ApplicationFailure.nonRetryable(`workspace ${dir} does not exist`, 'WorkspaceMissing');
  const ref = parseIssueKey(issueKey)!;
  const repository = findRepositoryEntry(deps.file, { name: `${ref.owner}/${ref.repo}` });
  try {
    return planGates(dir, operatorGates(deps.file, deps.config.workflow.coverageThreshold, repository));
  } catch (error) {
    if (error instanceof GateConfigError) throw ApplicationFailure.nonRetryable(error.message, 'GateConfigError');
    throw error;
  }
}

interface GateHeartbeat extends ProcessGroupHeartbeat {
  gate: string;
  round: number;
}

/**
 * planGates: which gates apply to the issue's workspace. runGate: runs one gate there, heartbeating while the
 * command runs; cancelling the activity kills the command's process group before the cancellation propagates.
 * Re-running a gate is harmless, so both are idempotent and safe to retry.
 */
export function createGateActivities(
  deps: GateActivityDeps,
  { heartbeatMs = GATE_HEARTBEAT_MS }: { heartbeatMs?: number } = {},
): Pick<CoordinatorActivities, 'planGates' | 'runGate'> {
  return {
    async planGates({ issueKey }) {
      return gatePlan(deps, issueKey).gates.map((gate) => gate.gate);
    },
    async runGate({ issueKey, gate, round }) {
      const context = Context.current();
      killAbandonedAttempt(context.info, deps.log);
      const plan = gatePlan(deps, issueKey);
      const planned = plan.gates.find((candidate) => candidate.gate === gate);
      if (!planned) return missingGate(gate, `the ${gate} gate is not configured for this workspace`);
      let processGroup: number | undefined;
      // The first heartbeat (sent at once, later ones are throttled) names the gate's process group.
      const beat = () =>
        context.heartbeat({ gate, round, ...processGroupHeartbeat(processGroup) } satisfies GateHeartbeat);
      const result = await runPlannedGate(plan, planned, {
        signal: context.cancellationSignal,
        onSpawn: (pid) => ((processGroup = pid), beat()),
        onTick: beat,
        tickMs: heartbeatMs,
      });
      if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
      deps.log.info({ issueKey, gate, round, status: result.status, durationMs: result.durationMs }, 'gate finished');
      return result;
    },
  };
}
