import type { IssueSnapshot } from '../../src/domain/types';

/** A fixed, open issue assigned to `bot`, for tests that need exact keys and text (`testIssue()` is unique per call). */
export function issueSnapshot(ref = { owner: 'acme', repo: 'widgets', number: 7 }): IssueSnapshot {
  return {
    key: `${ref.owner}/${ref.repo}#${ref.number}`,
    ...ref,
    title: 'Fix it',
    body: '',
    labels: [],
    state: 'open',
    assignees: ['bot'],
  };
}
