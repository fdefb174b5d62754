import { patched, proxyActivities, proxyLocalActivities, type ActivityOptions } from '@temporalio/workflow';
import type { CoordinatorActivities } from '../activities/contract';

/**
 * Error types that retrying cannot fix: bad configuration and invalid input. Activities throw errors with these
 * names (or `ApplicationFailure.nonRetryable`) so the workflow escalates at once instead of retrying for minutes.
 */
export const NON_RETRYABLE_ERROR_TYPES = ['ConfigError', 'ConfigFileError', 'ZodError', 'InvalidInputError'];

const retry = (maximumAttempts: number, maximumInterval: string): ActivityOptions['retry'] => ({
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval,
  maximumAttempts,
  nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
});

/** Options per activity: every one has a start-to-close timeout, a retry policy and a summary for the Web UI. */
export const ACTIVITY_OPTIONS = {
  parseIssue: { startToCloseTimeout: '2 minutes', retry: retry(5, '30s'), summary: 'parse issue metadata' },
  assignAgent: { startToCloseTimeout: '30s', retry: retry(5, '30s'), summary: 'assign an agent' },
  fetchIssueStates: { startToCloseTimeout: '30s', retry: retry(3, '10s'), summary: 'check blocker states' },
  // Long: a `command` agent runs for as long as its work takes, heartbeating; other drivers answer at once.
  dispatchAgent: {
    startToCloseTimeout: '4 hours',
    heartbeatTimeout: '2 minutes',
    retry: retry(3, '1 minute'),
    summary: 'dispatch the agent',
  },
  planGates: { startToCloseTimeout: '1 minute', retry: retry(3, '10s'), summary: 'plan quality gates' },
  runGate: {
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: '1 minute',
    // A gate that failed is a result, not an error; a thrown gate is retried a little, then becomes an `error`.
    retry: retry(2, '10s'),
    summary: 'run a quality gate',
  },
  // Best-effort and awaited: a Gitea outage must not hold a phase change for minutes; the next report carries the
  // whole state again.
  reportStatus: { startToCloseTimeout: '30s', retry: retry(3, '5s'), summary: 'report status on the issue' },
} satisfies Record<keyof CoordinatorActivities, ActivityOptions>;

type Proxies = {
  [K in keyof CoordinatorActivities]: ReturnType<typeof proxyActivities<Pick<CoordinatorActivities, K>>>[K];
};

function proxyEach(): Proxies {
  const entries = Object.entries(ACTIVITY_OPTIONS).map(([name, options]) => [
    name,
    proxyActivities<CoordinatorActivities>(options)[name as keyof CoordinatorActivities],
  ]);
  return Object.fromEntries(entries) as Proxies;
}

/** The activities, each proxied with its own options; `executeWithOptions` sets a call-site summary. */
export const activities = proxyEach();

/**
 * Short steps that read only this worker's configuration and workspace: as local activities they run inside the
 * workflow task that asks for them, with no trip through the server per call. Status reports stay activities: a slow
 * Gitea would otherwise hold the workflow task open, and with it queries and completion claims.
 */
type ShortStep = 'assignAgent' | 'planGates';

const localActivities: Pick<CoordinatorActivities, ShortStep> = {
  assignAgent: proxyLocalActivities<CoordinatorActivities>(localOptions('assignAgent')).assignAgent,
  planGates: proxyLocalActivities<CoordinatorActivities>(localOptions('planGates')).planGates,
};

/** The same timeout and retry policy as the activity (local activities have no Web UI summary). */
function localOptions(name: ShortStep) {
  return { startToCloseTimeout: ACTIVITY_OPTIONS[name].startToCloseTimeout, retry: ACTIVITY_OPTIONS[name].retry };
}

/** Histories recorded before the short steps became local activities replay with the activities they ran. */
const SHORT_STEPS_LOCAL_PATCH = 'short-steps-as-local-activities';

/** A short step: a local activity, except when replaying a history from before SHORT_STEPS_LOCAL_PATCH. */
export function shortStep<K extends ShortStep>(name: K): Pick<CoordinatorActivities, ShortStep>[K] {
  const steps: Pick<CoordinatorActivities, ShortStep> = patched(SHORT_STEPS_LOCAL_PATCH) ? localActivities : activities;
  return steps[name];
}
