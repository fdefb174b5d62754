import type { Client } from '@temporalio/client';
import type { CoordinatorActivities, ReconcileActivities } from './contract';
import type { Config } from '../config';
import type { CoordinatorFile } from '../config-file';
import type { Logger } from '../logger';
import { createParseActivities } from './parse-issue';
import { createRunningCountByAgent } from './running-agents';
import { createNativeDependencyFetcher } from './native-dependencies';
import { createIssueCommentFetcher } from './issue-comments';
import { giteaClientFromConfig } from '../gitea/client';
import { createGateActivities } from './gates';
import { createReportActivities } from './report';
import { createDispatchActivities } from './dispatch';
import { createReconcileActivities } from './reconcile';

export interface ActivityDeps {
  config: Config;
  /** Agent pool, gate commands, repositories (COORDINATOR_CONFIG_FILE). */
  file: CoordinatorFile;
  log: Logger;
  /**
   * Counts running workflows per AssignedAgent for the pool's concurrency (without it assignment ignores load), and
   * lets reconciliation list and start issue workflows (without it reconciliation does nothing).
   */
  temporalClient?: Pick<Client, 'workflow'>;
}

/** Builds the activity implementations with their dependencies injected. */
export function createActivities(deps: ActivityDeps): CoordinatorActivities & ReconcileActivities {
  const gitea = giteaClientFromConfig(deps.config.gitea, deps.log);
  const { parseIssue, assignAgent } = createParseActivities({
    anthropic: deps.config.anthropic,
    agents: deps.file.agents,
    budgetFraction: deps.file.contextBudgetFraction,
    log: deps.log,
    // With GITEA_URL and GITEA_TOKEN: Gitea's /dependencies and /blocks are merged with what the text says.
    fetchNativeDependencies: gitea ? createNativeDependencyFetcher(gitea) : undefined,
    // Comments count too ("Blocked by #41" in a comment), except the coordinator's own.
    fetchComments: gitea ? createIssueCommentFetcher(gitea) : undefined,
    countRunningByAgent: deps.temporalClient
      ? createRunningCountByAgent(deps.temporalClient, deps.file.agents)
      : undefined,
  });
  const { reportStatus, fetchIssueStates } = createReportActivities(deps);
  return {
    parseIssue,
    assignAgent,
    fetchIssueStates,
    ...createDispatchActivities(deps),
    ...createGateActivities(deps),
    reportStatus,
    ...createReconcileActivities(deps),
  };
}
