import { TypedSearchAttributes } from '@temporalio/common';
import type { IssueSnapshot } from '../domain/types';
import { IssueKeyAttr, IssuePhaseAttr, IssueRepoAttr } from '../temporal/search-attributes';

/**
 * The start options every starter of `issueWorkflow` should use (client side; not part of the workflow bundle):
 * the issue key as workflow id, a `staticSummary` for the Web UI, and the search attributes known at start.
 */
export function issueWorkflowStartOptions(issue: IssueSnapshot) {
  return {
    workflowId: issue.key,
    staticSummary: summaryOf(issue),
    typedSearchAttributes: new TypedSearchAttributes([
      { key: IssueKeyAttr, value: issue.key },
      { key: IssueRepoAttr, value: `${issue.owner}/${issue.repo}`.toLowerCase() },
      { key: IssuePhaseAttr, value: 'parsing' },
    ]),
  };
}

const MAX_SUMMARY_TITLE = 200;

/** One line for the Web UI: newlines in a title would break the workflow list. */
function summaryOf(issue: IssueSnapshot): string {
  const title = issue.title.replace(/\s+/g, ' ').trim();
  const short = title.length > MAX_SUMMARY_TITLE ? `${title.slice(0, MAX_SUMMARY_TITLE - 1)}…` : title;
  return `${issue.key}: ${short}`;
}

/** The configured bounds every starter passes into IssueWorkflowInput (MAX_CONTINUATION_ROUNDS, BLOCKER_RECHECK_INTERVAL). */
export interface IssueWorkflowBounds {
  maxRounds?: number;
  blockerRecheckInterval?: string;
  /** CONTEXT_COMPACT_AT and CONTEXT_HANDOFF_AT. */
  contextCompactAt?: number;
  contextHandoffAt?: number;
}

export function issueWorkflowBounds(workflow: {
  maxContinuationRounds: number;
  blockerRecheckInterval: string;
  contextCompactAt?: number;
  contextHandoffAt?: number;
}): IssueWorkflowBounds {
  return {
    maxRounds: workflow.maxContinuationRounds,
    blockerRecheckInterval: workflow.blockerRecheckInterval,
    ...(workflow.contextCompactAt !== undefined ? { contextCompactAt: workflow.contextCompactAt } : {}),
    ...(workflow.contextHandoffAt !== undefined ? { contextHandoffAt: workflow.contextHandoffAt } : {}),
  };
}
