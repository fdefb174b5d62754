import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptionsStartWorkflowAction,
} from '@temporalio/client';
import type { Config } from '../config';
import type { CoordinatorFile } from '../config-file';
import type { Logger } from '../logger';
import { RECONCILE_WORKFLOW_TYPE } from '../workflows/reconcile-workflow';

export type ReconcileScheduleResult = 'created' | 'updated' | 'deleted' | 'off';

/** One schedule per task queue, so that two coordinators sharing a Temporal namespace do not fight over it. */
export function reconcileScheduleId(taskQueue: string): string {
  return `reconcile-${taskQueue}`;
}

/**
 * Creates the reconciliation Schedule, or brings an existing one up to date with RECONCILE_INTERVAL; with
 * RECONCILE_INTERVAL=off (or nothing to reconcile) an existing one is deleted. Safe to call at every start-up, from
 * any number of processes at once.
 */
export async function ensureReconcileSchedule(
  client: Pick<Client, 'schedule'>,
  config: Pick<Config, 'temporal' | 'reconcile' | 'gitea'>,
  file: Pick<CoordinatorFile, 'repositories'>,
  log: Logger,
): Promise<ReconcileScheduleResult> {
  const { taskQueue } = config.temporal;
  const scheduleId = reconcileScheduleId(taskQueue);
  const every = config.reconcile.interval;
  const reason = !every
    ? 'RECONCILE_INTERVAL=off'
    : !config.gitea.url || !config.gitea.token
      ? 'GITEA_URL and GITEA_TOKEN are not set'
      : file.repositories.length === 0
        ? 'COORDINATOR_CONFIG_FILE lists no repositories'
        : undefined;
  if (!every || reason) {
    const deleted = await client.schedule
      .getHandle(scheduleId)
      .delete()
      .then(
        () => true,
        (error: unknown) => {
          if (error instanceof ScheduleNotFoundError) return false;
          throw error;
        },
      );
    log.info({ scheduleId, reason }, 'reconciliation is off');
    return deleted ? 'deleted' : 'off';
  }

  const action: ScheduleOptionsStartWorkflowAction<() => Promise<unknown>> = {
    type: 'startWorkflow',
    workflowType: RECONCILE_WORKFLOW_TYPE,
    taskQueue,
    args: [],
    // The schedule appends the start time to this id, so every run has its own.
    workflowId: scheduleId,
    // A pass that cannot finish well within the interval is stuck; the next one starts fresh.
    workflowExecutionTimeout: '10 minutes',
    staticSummary: 'Reconcile Gitea issues with running workflows',
  };
  const spec = { intervals: [{ every }] };
  // SKIP: one pass at a time. After downtime, one catch-up pass (if the last tick is under a minute old), not many.
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies, state: { note: 'issue-coordinator' } });
    log.info({ scheduleId, every }, 'reconciliation schedule created');
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  await client.schedule.getHandle(scheduleId).update((previous) => ({
    ...previous,
    spec,
    action,
    policies: { ...previous.policies, ...policies },
  }));
  log.info({ scheduleId, every }, 'reconciliation schedule updated');
  return 'updated';
}
