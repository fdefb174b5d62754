import { msToNumber } from '@temporalio/common/lib/time';
import type { ActivityOptions } from '@temporalio/workflow';
import { ACTIVITY_OPTIONS } from '../../src/workflows/activity-options';

/** The longest an awaited activity can hold the workflow when every attempt times out. */
function worstCaseMs(options: ActivityOptions): number {
  const retry = options.retry!;
  const attempts = retry.maximumAttempts!;
  let total = attempts * msToNumber(options.startToCloseTimeout!);
  let interval = msToNumber(retry.initialInterval ?? '1s');
  for (let gap = 1; gap < attempts; gap++) {
    total += Math.min(interval, msToNumber(retry.maximumInterval!));
    interval *= retry.backoffCoefficient ?? 2;
  }
  return total;
}

describe('activity options during a Gitea outage', () => {
  it('lets a best-effort status report hold a phase change for at most two minutes', () => {
    expect(ACTIVITY_OPTIONS.reportStatus.retry?.maximumAttempts).toBeLessThanOrEqual(3);
    expect(worstCaseMs(ACTIVITY_OPTIONS.reportStatus)).toBeLessThanOrEqual(120_000);
  });

  it('lets a blocker check give up within two minutes; the next recheck asks again', () => {
    expect(worstCaseMs(ACTIVITY_OPTIONS.fetchIssueStates)).toBeLessThanOrEqual(120_000);
  });
});
