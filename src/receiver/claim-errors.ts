import { WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';

export interface ClaimFailure {
  status: 404 | 409 | 503;
  error: string;
  message: string;
}

/**
 * What a failed claimCompletion Update means to the claimant: no running workflow (404), a claim the workflow
 * refused or abandoned, e.g. outside `working` or from an agent that is not assigned (409), else Temporal could not
 * be reached in time (503, try again).
 */
export function claimFailureStatus(error: unknown, accepted = false): ClaimFailure {
  if (error instanceof WorkflowNotFoundError) {
    return { status: 404, error: 'no running workflow for this issue', message: error.message };
  }
  if (error instanceof WorkflowUpdateFailedError) {
    return { status: 409, error: 'claim rejected', message: (error.cause ?? error).message };
  }
  return {
    status: 503,
    // Resending the same signed request within the time window is the same Update, so it fetches the verdict.
    error: accepted
      ? 'the claim was accepted but its verdict could not be fetched; resend the same request to get it'
      : 'Temporal is unavailable; the claim was not recorded',
    message: error instanceof Error ? error.message : String(error),
  };
}
