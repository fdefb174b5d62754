import { proxyActivities } from '@temporalio/workflow';
import type { ReconcileActivities, ReconcileReport } from '../activities/contract';
import { NON_RETRYABLE_ERROR_TYPES } from './activity-options';

export const RECONCILE_WORKFLOW_TYPE = 'reconcileWorkflow';

const { reconcileIssues } = proxyActivities<ReconcileActivities>({
  // Pages through every open issue of the configured repositories; heartbeats once per repository and repair.
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: {
    initialInterval: '5s',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    // The next scheduled run tries again; a pass that keeps failing should show as a failed run, not spin.
    maximumAttempts: 3,
    nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
  },
  summary: 'reconcile Gitea issues with running workflows',
});

/** One reconciliation pass; a Temporal Schedule (src/temporal/reconcile-schedule.ts) starts it periodically. */
export async function reconcileWorkflow(): Promise<ReconcileReport> {
  return reconcileIssues();
}
