import { TemporalDeadlineError, withTemporalDeadline } from '../../src/receiver/deadline';

/** A connection whose calls never settle, as when the channel is stuck reconnecting: only the timer can answer. */
const stuck = {
  connection: { withDeadline: () => new Promise<never>(() => undefined) },
} as unknown as Parameters<typeof withTemporalDeadline>[0];

const healthy = {
  connection: { withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn() },
} as unknown as Parameters<typeof withTemporalDeadline>[0];

describe('withTemporalDeadline', () => {
  it('gives up at the deadline even when the gRPC call never settles', async () => {
    const started = Date.now();
    await expect(withTemporalDeadline(stuck, 200, async () => 'never')).rejects.toThrow(TemporalDeadlineError);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('answers with the call when Temporal answers in time', async () => {
    await expect(withTemporalDeadline(healthy, 1_000, async () => 'accepted')).resolves.toBe('accepted');
    await expect(
      withTemporalDeadline(healthy, 1_000, async () => {
        throw new Error('not found');
      }),
    ).rejects.toThrow('not found');
  });
});
