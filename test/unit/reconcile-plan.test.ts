import { planReconciliation, reconcileDedupeKey, snapshotFromGiteaIssue } from '../../src/domain/reconcile-plan';
import type { IssueSnapshot } from '../../src/domain/types';

const issue = (number: number, assignees: string[] = ['bot']): IssueSnapshot =>
  snapshotFromGiteaIssue('Acme', 'Widgets', {
    number,
    title: `Issue ${number}`,
    body: 'line one\r\nline two',
    state: 'open',
    labels: [{ name: 'bug' }],
    assignees: assignees.map((login) => ({ login })),
  })!;

describe('planReconciliation', () => {
  it('starts open, assigned issues that have no running workflow, and leaves unassigned ones alone', () => {
    const plan = planReconciliation([issue(1), issue(2), issue(3, [])], ['acme/widgets#2']);
    expect(plan.start.map((i) => i.key)).toEqual(['acme/widgets#1']);
    expect(plan.checkClosed).toEqual([]);
  });

  it('looks up running workflows whose issue is no longer open', () => {
    const plan = planReconciliation([issue(1)], ['acme/widgets#1', 'acme/widgets#7', 'acme/widgets#5']);
    expect(plan.start).toEqual([]);
    expect(plan.checkClosed).toEqual(['acme/widgets#5', 'acme/widgets#7']);
  });
});

describe('snapshotFromGiteaIssue', () => {
  it('makes the snapshot a webhook would carry: canonical key, LF newlines, names only', () => {
    expect(issue(4)).toEqual({
      key: 'acme/widgets#4',
      owner: 'Acme',
      repo: 'Widgets',
      number: 4,
      title: 'Issue 4',
      body: 'line one\nline two',
      labels: ['bug'],
      state: 'open',
      assignees: ['bot'],
    });
  });

  it('reads a null body and null assignees as empty', () => {
    const snapshot = snapshotFromGiteaIssue('a', 'b', { number: 1, title: 't', body: null, state: 'closed' });
    expect(snapshot).toMatchObject({ body: '', assignees: [], labels: [], state: 'closed' });
  });
});

describe('reconcileDedupeKey', () => {
  it('is stable for the same state and changes with the assignees', () => {
    expect(reconcileDedupeKey('assigned', issue(1, ['a', 'b']))).toBe(
      reconcileDedupeKey('assigned', issue(1, ['b', 'a'])),
    );
    expect(reconcileDedupeKey('assigned', issue(1, ['a']))).not.toBe(reconcileDedupeKey('assigned', issue(1, ['b'])));
    expect(reconcileDedupeKey('closed', issue(1))).not.toBe(reconcileDedupeKey('assigned', issue(1)));
  });
});
