import type { Client } from '@temporalio/client';
import type { PoolAgent } from '../domain/agent-selection';
import type { IssuePhase } from '../workflows/messages';

/** The phases in which an issue holds an agent session; blocked, passed, paused or escalated ones hold none. */
export const AGENT_HOLDING_PHASES = ['working', 'verifying', 'continuing'] as const satisfies readonly IssuePhase[];

/**
 * How many issue workflows each agent is working on now, from Temporal visibility: running executions whose
 * `AssignedAgent` search attribute names it and whose `IssuePhase` is one of AGENT_HOLDING_PHASES. Approximate by nature: visibility lags by up to a second or so, and
 * two assignments at the same moment both see the same count. One count per agent (visibility cannot group by a
 * custom attribute), all in parallel.
 */
export function createRunningCountByAgent(
  client: Pick<Client, 'workflow'>,
  agents: readonly Pick<PoolAgent, 'name'>[],
): () => Promise<Record<string, number>> {
  const phases = AGENT_HOLDING_PHASES.map((phase) => `'${phase}'`).join(', ');
  return async () => {
    const counts = await Promise.all(
      agents.map(async ({ name }) => {
        // Agent names match /^[A-Za-z0-9_.-]+$/ (config-file.ts), so they need no escaping in the query.
        const { count } = await client.workflow.count(
          `ExecutionStatus = 'Running' AND AssignedAgent = '${name}' AND IssuePhase IN (${phases})`,
        );
        return [name, count] as const;
      }),
    );
    return Object.fromEntries(counts);
  };
}
