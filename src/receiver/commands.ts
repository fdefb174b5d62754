/**
 * The pure half of the receiver: from a verified, parsed delivery (event type, payload) to the one thing the
 * coordinator must do in Temporal. No I/O; src/receiver/dispatch.ts carries the command out.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { formatIssueKey, isIssueKey } from '../domain/issue-key';
import type { IssueSnapshot } from '../domain/types';
import { issuePayloadSchema, type IssuePayload } from '../gitea/webhook-payloads';
import type { IssueChange, IssueChangedSignal } from '../workflows/messages';

export type WebhookCommand =
  | { kind: 'start'; issue: IssueSnapshot; signal: IssueChangedSignal }
  | { kind: 'signal'; issue: IssueSnapshot; signal: IssueChangedSignal }
  | { kind: 'close'; issue: IssueSnapshot; dedupeKey: string };

export type RouteResult =
  | { kind: 'command'; action: string; command: WebhookCommand }
  | { kind: 'ignore'; action: string | undefined; reason: string }
  | { kind: 'invalid'; action: string | undefined; problems: string[] };

/** `X-Gitea-Event-Type` values whose payload is an IssuePayload. */
export const ISSUE_EVENT_TYPES = ['issues', 'issue_assign', 'issue_label', 'issue_milestone'] as const;

const CHANGES: Record<string, IssueChange> = {
  unassigned: 'unassigned',
  edited: 'edited',
  reopened: 'reopened',
  label_updated: 'labeled',
  label_cleared: 'labeled',
};

/**
 * Content-derived identity of a delivery. Gitea's "Replay" resends the same body under a new delivery UUID, so
 * the UUID cannot dedupe; the event type is included because one body can arrive under two event types.
 */
export function deliveryDedupeKey(eventType: string, rawBody: Buffer): string {
  return createHash('sha256').update(eventType).update('\0').update(rawBody).digest('hex').slice(0, 32);
}

export function routeDelivery(eventType: string, payload: unknown, dedupeKey: string): RouteResult {
  const action = actionOf(payload);
  if (!(ISSUE_EVENT_TYPES as readonly string[]).includes(eventType)) {
    return { kind: 'ignore', action, reason: `event type '${eventType}' is not handled` };
  }
  const parsed = issuePayloadSchema.safeParse(payload);
  if (!parsed.success) return { kind: 'invalid', action, problems: describe(parsed.error) };
  const issue = toSnapshot(parsed.data);
  if (!issue) return { kind: 'invalid', action, problems: ['repository owner/name do not form an issue key'] };
  const act = parsed.data.action;

  if (act === 'assigned') {
    // An old delivery replayed after the issue closed must not start its lifecycle again.
    if (issue.state !== 'open') return { kind: 'ignore', action: act, reason: 'the issue is closed: nothing to start' };
    const signal = { dedupeKey, change: 'assigned' as const, issue };
    return { kind: 'command', action: act, command: { kind: 'start', issue, signal } };
  }
  if (act === 'closed') return { kind: 'command', action: act, command: { kind: 'close', issue, dedupeKey } };
  const change = CHANGES[act];
  if (change)
    return { kind: 'command', action: act, command: { kind: 'signal', issue, signal: { dedupeKey, change, issue } } };
  return { kind: 'ignore', action: act, reason: `action '${act}' is not handled` };
}

export function toSnapshot(payload: IssuePayload): IssueSnapshot | undefined {
  const owner = payload.repository.owner.login;
  const repo = payload.repository.name;
  const key = formatIssueKey({ owner, repo, number: payload.issue.number });
  if (!isIssueKey(key)) return undefined;
  return {
    key,
    owner,
    repo,
    number: payload.issue.number,
    title: payload.issue.title,
    body: payload.issue.body.replace(/\r\n/g, '\n'),
    labels: payload.issue.labels.map((label) => label.name),
    state: payload.issue.state,
    assignees: payload.issue.assignees.map((user) => user.login),
    ...(payload.issue.html_url ? { htmlUrl: payload.issue.html_url } : {}),
  };
}

function actionOf(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const action = (payload as { action?: unknown }).action;
  return typeof action === 'string' ? action : undefined;
}

function describe(error: z.ZodError): string[] {
  return error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
}
