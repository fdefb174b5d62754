import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { ActivityDeps } from './index';
import type { ReconcileActivities, ReconcileReport } from './contract';
import { asActivityFailure } from './gitea-failure';
import type { IssueKey } from '../domain/issue-key';
import { parseIssueKey } from '../domain/issue-key';
import { planReconciliation, reconcileDedupeKey, snapshotFromGiteaIssue } from '../domain/reconcile-plan';
import type { IssueSnapshot } from '../domain/types';
import { giteaClientFromConfig, type GiteaClient } from '../gitea/client';
import { dispatch, ISSUE_WORKFLOW_TYPE } from '../receiver/dispatch';
import { issueClosedSignal } from '../workflows/messages';
import { issueWorkflowBounds } from '../workflows/start-options';

export interface ReconcileDeps extends Pick<ActivityDeps, 'config' | 'file' | 'log'> {
  temporalClient?: Pick<Client, 'workflow'>;
  /** Default: a client from GITEA_URL/GITEA_TOKEN. */
  gitea?: GiteaClient;
}

/** Execution states that an operator chose: reconciliation does not undo a cancel or a terminate. */
const ENDED_BY_OPERATOR = new Set(['CANCELLED', 'TERMINATED']);

/**
 * reconcileIssues repairs lost webhooks: open, assigned issues of the configured repositories without a running
 * workflow are started through the receiver's own start path, and running workflows whose issue is closed (or
 * deleted) in Gitea are told so. Idempotent: every signal carries a content-derived dedupe key.
 */
export function createReconcileActivities(deps: ReconcileDeps): ReconcileActivities {
  const gitea = deps.gitea ?? giteaClientFromConfig(deps.config.gitea, deps.log);
  const taskQueue = deps.config.temporal.taskQueue;
  const bounds = issueWorkflowBounds(deps.config.workflow);
  const repositories = deps.file.repositories.map((repository) => repository.name.toLowerCase());

  return {
    async reconcileIssues() {
      const report: ReconcileReport = { repositories: repositories.length, started: [], closed: [], skipped: [] };
      const client = deps.temporalClient;
      if (!gitea || !client || repositories.length === 0) {
        report.skipped.push({ reason: 'needs GITEA_URL, GITEA_TOKEN and repositories in COORDINATOR_CONFIG_FILE' });
        return report;
      }
      const heartbeat = () => Context.current().heartbeat();
      const open: IssueSnapshot[] = [];
      const listed: string[] = [];
      let lastError: unknown;
      for (const name of repositories) {
        const [owner, repo] = name.split('/') as [string, string];
        try {
          for (const issue of await gitea.listOpenIssues(owner, repo)) {
            const snapshot = issue.pull_request ? undefined : snapshotFromGiteaIssue(owner, repo, issue);
            if (snapshot) open.push(snapshot);
          }
          listed.push(name);
        } catch (error) {
          // One misconfigured or unreachable repository must not hold up the others.
          lastError = error;
          report.skipped.push({ reason: `${name}: ${error instanceof Error ? error.message : String(error)}` });
          deps.log.warn({ repository: name, err: error }, 'reconciliation could not list the open issues');
        }
        heartbeat();
      }
      // Nothing could be listed: the pass fails (at once when retrying cannot help, e.g. a 401).
      if (listed.length === 0) return asActivityFailure(() => Promise.reject(lastError));
      const plan = planReconciliation(open, await runningIssueWorkflows(client, listed));

      for (const issue of plan.start) {
        const previous = await lastExecutionStatus(client, issue.key);
        if (previous === 'RUNNING' || (previous && ENDED_BY_OPERATOR.has(previous))) {
          report.skipped.push({ issueKey: issue.key, reason: `its workflow is ${previous.toLowerCase()}` });
          continue;
        }
        const signal = { dedupeKey: reconcileDedupeKey('assigned', issue), change: 'assigned' as const, issue };
        await dispatch(client, taskQueue, { kind: 'start', issue, signal }, bounds);
        report.started.push(issue.key);
        heartbeat();
      }

      for (const key of plan.checkClosed) {
        const ref = parseIssueKey(key)!;
        const found = await asActivityFailure(() => gitea.getIssue(ref));
        const issue = found && snapshotFromGiteaIssue(ref.owner, ref.repo, found);
        if (issue?.state === 'open') continue;
        if (issue) {
          await dispatch(client, taskQueue, { kind: 'close', issue, dedupeKey: reconcileDedupeKey('closed', issue) });
        } else {
          // Deleted: there is no snapshot to carry, and blocked issues count a missing blocker as closed on re-check.
          await signalDeleted(client, key);
        }
        report.closed.push(key);
        heartbeat();
      }
      if (report.started.length > 0 || report.closed.length > 0) {
        deps.log.info({ started: report.started, closed: report.closed }, 'reconciliation repaired missed webhooks');
      }
      return report;
    },
  };
}

/** Keys of the running issue workflows of the given repositories (lowercase `owner/repo`, validated names). */
async function runningIssueWorkflows(client: Pick<Client, 'workflow'>, repositories: string[]): Promise<IssueKey[]> {
  const inList = repositories.map((name) => `'${name}'`).join(', ');
  const keys: IssueKey[] = [];
  for await (const execution of client.workflow.list({
    query: `WorkflowType = '${ISSUE_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND IssueRepo IN (${inList})`,
  })) {
    keys.push(execution.workflowId);
  }
  return keys;
}

/** Visibility lags a little behind; the execution itself does not. */
async function lastExecutionStatus(client: Pick<Client, 'workflow'>, key: IssueKey): Promise<string | undefined> {
  try {
    return (await client.workflow.getHandle(key).describe()).status.name;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}

async function signalDeleted(client: Pick<Client, 'workflow'>, key: IssueKey): Promise<void> {
  try {
    await client.workflow.getHandle(key).signal(issueClosedSignal, { dedupeKey: `reconcile-deleted-${key}` });
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
}
