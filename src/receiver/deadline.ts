import type { Client } from '@temporalio/client';

export class TemporalDeadlineError extends Error {
  override name = 'TemporalDeadlineError';
}

/**
 * Runs `fn` with a gRPC deadline and, as a backstop, a timer of the same length: Gitea gives up after 5 s, so the
 * receiver must answer (503) in time even when the channel is busy reconnecting or the event loop is slow to see
 * the gRPC deadline fire. A call that still succeeds after the timer is harmless: every event is idempotent.
 */
export async function withTemporalDeadline<T>(
  client: Pick<Client, 'connection'>,
  deadlineMs: number,
  fn: () => Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const backstop = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TemporalDeadlineError(`Temporal did not answer within ${deadlineMs} ms`)),
      deadlineMs,
    );
  });
  const call = client.connection.withDeadline(Date.now() + deadlineMs, fn);
  call.catch(() => undefined);
  try {
    return await Promise.race([call, backstop]);
  } finally {
    clearTimeout(timer);
  }
}
