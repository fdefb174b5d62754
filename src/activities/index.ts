import type { CoordinatorActivities } from './contract';
import type { Config } from '../config';
import type { CoordinatorFile } from '../config-file';
import type { Logger } from '../logger';

export interface ActivityDeps {
  config: Config;
  /** Agent pool, gate commands, repositories (COORDINATOR_CONFIG_FILE). */
  file: CoordinatorFile;
  log: Logger;
}

/** Builds the activity implementations with their dependencies injected. */
export function createActivities(_deps: ActivityDeps): CoordinatorActivities {
  const notYet = (name: string) => async (): Promise<never> => {
    throw new Error(`${name} is not implemented yet`);
  };
  return {
    parseIssue: async ({ issue }) => ({
      estimatedContextTokens: 0,
      contextSource: 'estimated',
      difficulty: 'medium',
      blockedBy: [],
      blocks: [],
      summary: issue.title,
      acceptanceCriteria: [],
      parser: 'heuristic',
    }),
    assignAgent: notYet('assignAgent'),
    fetchIssueStates: notYet('fetchIssueStates'),
    dispatchAgent: notYet('dispatchAgent'),
    planGates: notYet('planGates'),
    runGate: notYet('runGate'),
    reportStatus: notYet('reportStatus'),
  };
}
