/** Carries a WebhookCommand out against Temporal. Resolves only once Temporal has accepted every signal/start. */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { isIssueKey, type IssueKey } from '../domain/issue-key';
import { blockerClosedSignal, issueChangedSignal, issueClosedSignal } from '../workflows/messages';
import { issueWorkflowStartOptions, type IssueWorkflowBounds } from '../workflows/start-options';
import type { WebhookCommand } from './commands';

export const ISSUE_WORKFLOW_TYPE = 'issueWorkflow';

export interface DispatchResult {
  /** `accepted`: started or signalled; `no-workflow`: nothing runs for this issue, nothing to tell. */
  outcome: 'accepted' | 'no-workflow';
  /** Workflow ids that received a signal (or were started). */
  workflowIds: string[];
}

/**
 * The one start path of issue workflows (the receiver and reconciliation both come here). `bounds` are the configured
 * MAX_CONTINUATION_ROUNDS and BLOCKER_RECHECK_INTERVAL; without them the workflow uses its defaults.
 */
export async function dispatch(
  client: Pick<Client, 'workflow'>,
  taskQueue: string,
  command: WebhookCommand,
  bounds: IssueWorkflowBounds = {},
): Promise<DispatchResult> {
  const workflowId = command.issue.key;
  switch (command.kind) {
    case 'start':
      // Atomic per workflow id: concurrent duplicates start one workflow and signal it twice with one dedupe key.
      await client.workflow.signalWithStart(ISSUE_WORKFLOW_TYPE, {
        ...issueWorkflowStartOptions(command.issue),
        taskQueue,
        args: [{ issue: command.issue, ...bounds }],
        signal: issueChangedSignal,
        signalArgs: [command.signal],
      });
      return { outcome: 'accepted', workflowIds: [workflowId] };
    case 'signal': {
      const delivered = await signalIfRunning(() =>
        client.workflow.getHandle(workflowId).signal(issueChangedSignal, command.signal),
      );
      return delivered
        ? { outcome: 'accepted', workflowIds: [workflowId] }
        : { outcome: 'no-workflow', workflowIds: [] };
    }
    case 'close': {
      const { dedupeKey, issue } = command;
      // Together, so that a failure of either rejects this call (a 503) instead of leaving one rejection unhandled.
      const [closedOwn, dependants] = await Promise.all([
        signalIfRunning(() => client.workflow.getHandle(workflowId).signal(issueClosedSignal, { dedupeKey, issue })),
        blockedBy(client, workflowId),
      ]);
      const notified = await Promise.all(
        dependants.map((id) =>
          signalIfRunning(() =>
            client.workflow.getHandle(id).signal(blockerClosedSignal, { dedupeKey, blocker: workflowId }),
          ).then((ok) => (ok ? id : undefined)),
        ),
      );
      const workflowIds = [...(closedOwn ? [workflowId] : []), ...notified.filter((id): id is string => !!id)];
      return { outcome: workflowIds.length > 0 ? 'accepted' : 'no-workflow', workflowIds };
    }
  }
}

/** Open workflows whose BlockedBy search attribute names `key`. */
async function blockedBy(client: Pick<Client, 'workflow'>, key: IssueKey): Promise<string[]> {
  // The key is interpolated into a visibility query: only a canonical key (no quotes possible) may get there.
  if (!isIssueKey(key)) throw new Error(`not a canonical issue key: ${JSON.stringify(key)}`);
  const ids = new Set<string>();
  for await (const execution of client.workflow.list({
    query: `BlockedBy = '${key}' AND ExecutionStatus = 'Running'`,
  })) {
    if (execution.workflowId !== key) ids.add(execution.workflowId);
  }
  return [...ids];
}

/** False when the workflow does not exist or has already finished (it may finish between list and signal). */
async function signalIfRunning(send: () => Promise<void>): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}
