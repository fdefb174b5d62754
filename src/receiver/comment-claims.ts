/**
 * `gitea-comment` agents claim completion with a new comment whose first line is `/done`. Only the Gitea user of
 * the agent the workflow has assigned counts: anyone else's `/done`, an edit, a deletion or a pull-request comment
 * never does. `routeComment` is pure; `claimByComment` asks the workflow and performs the Update.
 */
import { WorkflowUpdateStage, type Client } from '@temporalio/client';
import type { AgentConfig } from '../config-file';
import { formatIssueKey, isIssueKey, type IssueKey } from '../domain/issue-key';
import { issueCommentPayloadSchema } from '../gitea/webhook-payloads';
import { claimCompletionUpdate, statusQuery } from '../workflows/messages';
import { claimFailureStatus } from './claim-errors';

export const DONE_COMMAND = '/done';

export interface DoneComment {
  issueKey: IssueKey;
  author: string;
  commentId: number;
}

export type CommentRoute =
  { kind: 'done'; comment: DoneComment } | { kind: 'ignore'; reason: string } | { kind: 'invalid'; problems: string[] };

export function routeComment(payload: unknown): CommentRoute {
  const parsed = issueCommentPayloadSchema.safeParse(payload);
  if (!parsed.success) {
    return {
      kind: 'invalid',
      problems: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    };
  }
  const { action, comment, issue, repository, is_pull } = parsed.data;
  if (action !== 'created') return { kind: 'ignore', reason: `a comment ${action} never claims completion` };
  if (is_pull) return { kind: 'ignore', reason: 'pull-request comments never claim completion' };
  const firstLine = (comment.body ?? '').trim().split('\n', 1)[0]!.trim();
  if (firstLine !== DONE_COMMAND) return { kind: 'ignore', reason: 'not a /done comment' };
  const author = comment.user?.login;
  if (!author) return { kind: 'ignore', reason: 'the comment has no author' };
  const issueKey = formatIssueKey({ owner: repository.owner.login, repo: repository.name, number: issue.number });
  if (!isIssueKey(issueKey)) return { kind: 'invalid', problems: ['repository owner/name do not form an issue key'] };
  return { kind: 'done', comment: { issueKey, author, commentId: comment.id } };
}

export type CommentClaimResult =
  { outcome: 'accepted' } | { outcome: 'no-workflow' } | { outcome: 'ignored' | 'rejected'; reason: string };

/** Gitea logins are case-insensitive. */
export function isAgentsUser(agent: AgentConfig | undefined, login: string): boolean {
  return !!agent?.giteaUser && agent.giteaUser.toLowerCase() === login.toLowerCase();
}

/**
 * Resolves once Temporal has accepted the claim (the gates' verdict is reported on the issue by the workflow), or
 * says why the comment does not count. Throws when Temporal cannot be reached.
 */
export async function claimByComment(
  client: Pick<Client, 'workflow'>,
  agents: readonly AgentConfig[],
  done: DoneComment,
): Promise<CommentClaimResult> {
  const handle = client.workflow.getHandle(done.issueKey);
  try {
    const status = await handle.query(statusQuery);
    const assigned = agents.find((agent) => agent.name === status.agent);
    if (!assigned || !isAgentsUser(assigned, done.author)) {
      return { outcome: 'ignored', reason: `@${done.author} is not the Gitea user of the assigned agent` };
    }
    // The validator would refuse it too, but an Update rejected at acceptance only shows when its result is awaited,
    // and that would wait for the gates. Between this query and the Update the validator still guards the workflow.
    if (status.phase !== 'working') {
      return { outcome: 'rejected', reason: `claims are accepted only while working; the issue is ${status.phase}` };
    }
    // One Update per comment: a redelivered webhook attaches to the claim its first delivery made.
    await handle.startUpdate(claimCompletionUpdate, {
      args: [{ agent: assigned.name, note: `/done comment ${done.commentId} by @${done.author}` }],
      updateId: `gitea-comment-${done.commentId}`,
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    return { outcome: 'accepted' };
  } catch (error) {
    const failure = claimFailureStatus(error);
    if (failure.status === 404) return { outcome: 'no-workflow' };
    if (failure.status === 409) return { outcome: 'rejected', reason: failure.message };
    throw error;
  }
}

/** The payload's `action`, for logs and metrics, whether or not the payload is valid. */
export function commentAction(payload: unknown): string | undefined {
  const action = (payload as { action?: unknown } | null)?.action;
  return typeof action === 'string' ? action : undefined;
}
