import { ApplicationFailure } from '@temporalio/common';
import { GiteaError } from '../gitea/client';

/**
 * Runs Gitea work inside an activity: errors that retrying cannot fix (4xx other than 408/429, redirects, responses
 * of the wrong shape, requests outside GITEA_URL) become non-retryable failures; the rest go to the retry policy.
 */
export async function asActivityFailure<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof GiteaError && !error.retryable) {
      throw ApplicationFailure.nonRetryable(error.message, 'GiteaError', { kind: error.kind, status: error.status });
    }
    throw error;
  }
}
