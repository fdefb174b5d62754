/**
 * Reconciliation, the pure half: from what Gitea says (open issues of the configured repositories) and what
 * Temporal runs (issue workflows), which workflows are missing and which may have missed their issue's close.
 * src/activities/reconcile.ts does the I/O around it.
 */
import { createHash } from 'node:crypto';
import { formatIssueKey, isIssueKey, type IssueKey } from './issue-key';
import type { IssueSnapshot } from './types';

/** The fields of a Gitea issue (REST `api.Issue`) a snapshot is made of. */
export interface GiteaIssueFields {
  number: number;
  title: string;
  body?: string | null;
  state: 'open' | 'closed';
  html_url?: string;
  labels?: { name: string }[] | null;
  assignees?: { login: string }[] | null;
  pull_request?: unknown;
}

/** The snapshot a webhook for this issue would carry (see toSnapshot in src/receiver/commands.ts). */
export function snapshotFromGiteaIssue(
  owner: string,
  repo: string,
  issue: GiteaIssueFields,
): IssueSnapshot | undefined {
  const key = formatIssueKey({ owner, repo, number: issue.number });
  if (!isIssueKey(key)) return undefined;
  return {
    key,
    owner,
    repo,
    number: issue.number,
    title: issue.title,
    body: (issue.body ?? '').replace(/\r\n/g, '\n'),
    labels: (issue.labels ?? []).map((label) => label.name),
    state: issue.state,
    assignees: (issue.assignees ?? []).map((user) => user.login),
    ...(issue.html_url ? { htmlUrl: issue.html_url } : {}),
  };
}

export interface ReconcilePlan {
  /** Open, assigned issues without a running workflow. */
  start: IssueSnapshot[];
  /** Running workflows whose issue is not among the open ones: closed, deleted, or moved; to be looked up. */
  checkClosed: IssueKey[];
}

/**
 * `openIssues`: every open issue of the configured repositories; `running`: keys of the running issue workflows of
 * those repositories. Unassigned open issues are left alone: only an assignment starts work.
 */
export function planReconciliation(openIssues: readonly IssueSnapshot[], running: Iterable<IssueKey>): ReconcilePlan {
  const runningKeys = new Set(running);
  const openKeys = new Set(openIssues.map((issue) => issue.key));
  return {
    start: openIssues.filter((issue) => issue.assignees.length > 0 && !runningKeys.has(issue.key)),
    checkClosed: [...runningKeys].filter((key) => !openKeys.has(key)).sort(),
  };
}

/**
 * Derived from content, like a webhook's: reconciling the same state twice signals once, and a workflow that has
 * seen this assignment ignores it.
 */
export function reconcileDedupeKey(kind: 'assigned' | 'closed', issue: IssueSnapshot): string {
  const hash = createHash('sha256').update(kind).update('\0').update(issue.key).update('\0');
  hash.update(kind === 'assigned' ? [...issue.assignees].sort().join(',') : issue.state);
  return `reconcile-${kind}-${hash.digest('hex').slice(0, 24)}`;
}
