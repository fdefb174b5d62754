import { deliveryDedupeKey, routeDelivery } from '../../src/receiver/commands';
import { issueWorkflowStartOptions } from '../../src/workflows/start-options';
import { issueCommentPayloadSchema } from '../../src/gitea/webhook-payloads';
import { issuePayload } from '../helpers/gitea-webhook';

const KEY = 'k1';

describe('routeDelivery', () => {
  it('turns assigned into a signal-with-start carrying a snapshot of the issue after the change', () => {
    const payload = issuePayload('assigned', { assignees: ['bot'], labels: ['bug'], body: 'a\r\nb' });
    const route = routeDelivery('issue_assign', payload, KEY);
    expect(route).toMatchObject({ kind: 'command', action: 'assigned', command: { kind: 'start' } });
    if (route.kind !== 'command' || route.command.kind !== 'start') throw new Error('unreachable');
    expect(route.command.issue).toEqual({
      key: 'acme/widgets#42',
      owner: 'Acme',
      repo: 'Widgets',
      number: 42,
      title: 'Add a widget',
      body: 'a\nb',
      labels: ['bug'],
      state: 'open',
      assignees: ['bot'],
      htmlUrl: 'http://gitea.local/Acme/Widgets/issues/42',
    });
    expect(route.command.signal).toEqual({ dedupeKey: KEY, change: 'assigned', issue: route.command.issue });
    expect(issueWorkflowStartOptions(route.command.issue).staticSummary).toBe('acme/widgets#42: Add a widget');
  });

  it('does not start work for an assignment on a closed issue (e.g. an old delivery replayed after closing)', () => {
    const payload = issuePayload('assigned', { assignees: ['bot'], state: 'closed' });
    expect(routeDelivery('issue_assign', payload, KEY)).toEqual({
      kind: 'ignore',
      action: 'assigned',
      reason: 'the issue is closed: nothing to start',
    });
  });

  it.each([
    ['unassigned', 'issue_assign', 'unassigned'],
    ['edited', 'issues', 'edited'],
    ['reopened', 'issues', 'reopened'],
    ['label_updated', 'issue_label', 'labeled'],
    ['label_cleared', 'issue_label', 'labeled'],
  ])('turns %s into an issueChanged signal (%s)', (action, event, change) => {
    const route = routeDelivery(event, issuePayload(action), KEY);
    expect(route).toMatchObject({ kind: 'command', command: { kind: 'signal', signal: { change, dedupeKey: KEY } } });
  });

  it('turns closed into a close command for the issue and its dependants', () => {
    const route = routeDelivery('issues', issuePayload('closed', { state: 'closed' }), KEY);
    expect(route).toMatchObject({
      kind: 'command',
      command: { kind: 'close', dedupeKey: KEY, issue: { state: 'closed' } },
    });
  });

  it('treats assignees: null as no assignees and tolerates unknown fields', () => {
    const route = routeDelivery('issue_assign', issuePayload('unassigned', { assignees: [] }), KEY);
    expect(route).toMatchObject({ kind: 'command', command: { issue: { assignees: [] } } });
  });

  it.each([
    ['opened', 'issues'],
    ['milestoned', 'issue_milestone'],
    ['a_future_action', 'issues'],
  ])('ignores the action %s', (action, event) => {
    expect(routeDelivery(event, issuePayload(action), KEY)).toMatchObject({ kind: 'ignore', action });
  });

  it('ignores event types it does not handle, without validating them', () => {
    expect(routeDelivery('push', { ref: 'refs/heads/main' }, KEY)).toMatchObject({ kind: 'ignore' });
    expect(routeDelivery('issue_comment', issuePayload('created'), KEY)).toMatchObject({ kind: 'ignore' });
  });

  it('reports a handled event whose payload misses what the coordinator needs', () => {
    const payload = issuePayload('assigned');
    delete (payload.issue as Record<string, unknown>).number;
    const route = routeDelivery('issue_assign', payload, KEY);
    expect(route).toMatchObject({ kind: 'invalid', action: 'assigned' });
    if (route.kind === 'invalid') expect(route.problems.join()).toContain('issue.number');
    expect(routeDelivery('issues', [1, 2], KEY)).toMatchObject({ kind: 'invalid', action: undefined });
    expect(routeDelivery('issues', issuePayload('closed', { owner: 'bad owner' }), KEY)).toMatchObject({
      kind: 'invalid',
    });
  });
});

describe('deliveryDedupeKey', () => {
  it('depends on the event type and every byte of the body, not on the delivery', () => {
    const body = Buffer.from('{"action":"assigned"}');
    expect(deliveryDedupeKey('issue_assign', body)).toBe(deliveryDedupeKey('issue_assign', Buffer.from(body)));
    expect(deliveryDedupeKey('issue_assign', body)).not.toBe(deliveryDedupeKey('issues', body));
    expect(deliveryDedupeKey('issue_assign', body)).not.toBe(
      deliveryDedupeKey('issue_assign', Buffer.from('{"action":"assigned" }')),
    );
  });
});

describe('issueCommentPayloadSchema', () => {
  it('reads the comment and the issue of an issue_comment delivery', () => {
    const payload = {
      ...issuePayload('created'),
      comment: { id: 5, body: '/done', user: { login: 'bot' }, extra: 1 },
      is_pull: false,
    };
    const parsed = issueCommentPayloadSchema.parse(payload);
    expect(parsed.comment.body).toBe('/done');
    expect(parsed.issue.assignees).toEqual([]);
  });
});
