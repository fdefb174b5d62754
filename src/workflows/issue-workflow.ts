import { condition, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { CoordinatorActivities } from '../activities/contract';
import type { IssueMetadata, IssueSnapshot } from '../domain/types';
import { IssuePhaseAttr } from '../temporal/search-attributes';
import { issueClosedSignal, statusQuery, type IssuePhase, type IssueStatus } from './messages';

export interface IssueWorkflowInput {
  issue: IssueSnapshot;
  maxRounds?: number;
}

const { parseIssue } = proxyActivities<CoordinatorActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 5 },
});

/** One durable lifecycle per issue; the workflow id is the issue key. */
export async function issueWorkflow(input: IssueWorkflowInput): Promise<IssueStatus> {
  let phase: IssuePhase = 'parsing';
  let metadata: IssueMetadata | undefined = undefined;
  let closed = false;
  const status = (): IssueStatus => ({
    issueKey: workflowInfo().workflowId,
    phase,
    openBlockers: metadata?.blockedBy ?? [],
    round: 0,
    maxRounds: input.maxRounds ?? 5,
    metadata,
  });
  const enter = (next: IssuePhase) => {
    phase = next;
    upsertSearchAttributes([{ key: IssuePhaseAttr, value: next }]);
  };

  setHandler(statusQuery, status);
  setHandler(issueClosedSignal, () => {
    closed = true;
  });

  enter('parsing');
  metadata = await parseIssue({ issue: input.issue });
  enter('working');
  await condition(() => closed);
  enter('closed');
  return status();
}
