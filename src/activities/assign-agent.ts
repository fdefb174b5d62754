import { selectAgent, type PoolAgent } from '../domain/agent-selection';
import type { Assignment } from '../domain/types';
import type { Logger } from '../logger';
import type { AssignAgentInput } from './contract';

export interface AssignAgentDeps {
  agents: readonly PoolAgent[];
  budgetFraction: number;
  log: Logger;
  /**
   * Issues each agent is working on now, e.g. a visibility count of running workflows by `AssignedAgent`.
   * Optional and approximate: two issues assigned at the same moment can both see a free slot.
   */
  countRunningByAgent?: () => Promise<Record<string, number>>;
}

export function createAssignAgent(deps: AssignAgentDeps): (input: AssignAgentInput) => Promise<Assignment> {
  return async ({ issueKey, metadata }) => {
    const running = deps.countRunningByAgent ? await deps.countRunningByAgent() : undefined;
    const assignment = selectAgent({
      agents: deps.agents,
      estimatedContextTokens: metadata.estimatedContextTokens,
      difficulty: metadata.difficulty,
      budgetFraction: deps.budgetFraction,
      ...(running ? { running } : {}),
    });
    deps.log.info(
      { issueKey, ok: assignment.ok, agent: assignment.ok ? assignment.agent : undefined },
      assignment.reason,
    );
    return assignment;
  };
}
