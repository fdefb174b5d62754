/**
 * Deliveries as Gitea sends them (modules/structs/hook.go IssuePayload, services/webhook/deliver.go headers):
 * indented JSON, `assignees: null` when empty, `\r\n` in bodies, fields the coordinator never reads.
 */
import { randomUUID } from 'node:crypto';
import { signBody } from '../../src/gitea/signature';
import type { NewIssue } from '../fakes/gitea-server';

/** The issue a payload describes: the fake Gitea's fields, every one defaulted. */
export type IssueFixture = Partial<Omit<NewIssue, 'author'>>;

export function issuePayload(action: string, fixture: IssueFixture = {}): Record<string, unknown> {
  const owner = fixture.owner ?? 'Acme';
  const repo = fixture.repo ?? 'Widgets';
  const number = fixture.number ?? 42;
  const user = (login: string) => ({ id: 1, login, full_name: '', email: `${login}@example.com`, avatar_url: '' });
  const assignees = fixture.assignees?.length ? fixture.assignees.map(user) : null;
  return {
    action,
    number,
    issue: {
      id: 1000 + number,
      url: `http://gitea.local/api/v1/repos/${owner}/${repo}/issues/${number}`,
      html_url: `http://gitea.local/${owner}/${repo}/issues/${number}`,
      number,
      user: user('alice'),
      original_author: '',
      title: fixture.title ?? 'Add a widget',
      body: fixture.body ?? 'Needs a widget.\r\n\r\nDone when it spins.',
      ref: '',
      labels: (fixture.labels ?? []).map((name, id) => ({ id, name, color: 'e11d21', exclusive: false })),
      milestone: null,
      assignee: assignees?.[0] ?? null,
      assignees,
      state: fixture.state ?? 'open',
      is_locked: false,
      comments: 0,
      created_at: '2026-11-24T10:00:00Z',
      updated_at: '2026-11-24T10:00:00Z',
      closed_at: null,
      due_date: null,
      pull_request: null,
      repository: { id: 7, name: repo, owner, full_name: `${owner}/${repo}` },
      pin_order: 0,
      a_field_from_a_newer_gitea: { nested: true },
    },
    repository: { id: 7, owner: user(owner), name: repo, full_name: `${owner}/${repo}`, private: false, fork: false },
    sender: user('alice'),
    commit_id: '',
  };
}

/** The event type header Gitea sends for an issue action. */
export function issueEventType(action: string): string {
  if (action === 'assigned' || action === 'unassigned') return 'issue_assign';
  if (action === 'label_updated' || action === 'label_cleared') return 'issue_label';
  if (action === 'milestoned' || action === 'demilestoned') return 'issue_milestone';
  return 'issues';
}

export function giteaBody(payload: unknown): string {
  return JSON.stringify(payload, null, 2);
}

/** The headers of services/webhook/deliver.go for a body signed with `secret`. */
export function giteaHeaders(eventType: string, body: string | Buffer, secret: string): Record<string, string> {
  const signature = signBody(body, secret);
  return {
    'Content-Type': 'application/json',
    'X-Gitea-Delivery': randomUUID(),
    'X-Gitea-Event': eventType.startsWith('issue') ? 'issues' : eventType,
    'X-Gitea-Event-Type': eventType,
    'X-Gitea-Signature': signature,
    'X-Hub-Signature-256': `sha256=${signature}`,
    'User-Agent': 'Go-http-client/1.1',
  };
}
