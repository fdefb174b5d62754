import type { DispatchInput } from '../activities/contract';
import type { GiteaClient } from '../gitea/client';
import { redact } from '../domain/redact';

/**
 * The `gitea-comment` agent driver: a comment on the issue mentions the agent's Gitea user with the task. The
 * agent claims completion with a `/done` comment (the receiver turns that into the claim). A hidden marker with the
 * dispatchId makes redelivery idempotent: a retried dispatch finds its comment (one the token's own user wrote)
 * and posts nothing.
 */
export const dispatchMarker = (dispatchId: string) => `<!-- issue-coordinator:dispatch:${dispatchId} -->`;

const GITEA_LOGIN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,39}$/;

export function isGiteaLogin(login: string): boolean {
  return GITEA_LOGIN.test(login);
}

/** The prompt goes in a fence longer than any backtick run inside it, so its text never renders as mentions. */
export function renderDispatchComment(
  input: DispatchInput,
  giteaUser: string,
  secrets: readonly string[] = [],
): string {
  const longestRun = Math.max(0, ...(input.prompt.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  const what = input.round === 0 ? 'a task' : `continuation round ${input.round}`;
  return [
    dispatchMarker(input.dispatchId),
    `@${giteaUser}: ${what} for you from the issue coordinator.`,
    '',
    `${fence}text`,
    redact(input.prompt, secrets),
    fence,
    '',
    'When every quality gate passes on your side, reply with a comment that is exactly `/done`.',
  ].join('\n');
}

export async function dispatchByComment(
  gitea: GiteaClient,
  input: DispatchInput,
  giteaUser: string,
  secrets: readonly string[] = [],
): Promise<{ posted: boolean }> {
  const ref = { owner: input.issue.owner, repo: input.issue.repo, number: input.issue.number };
  const marker = dispatchMarker(input.dispatchId);
  const [comments, self] = await Promise.all([gitea.listComments(ref), gitea.currentUser()]);
  // Only our own comment counts: anyone can post the (predictable) marker to keep the agent from being mentioned.
  if (comments.some((comment) => comment.user?.id === self.id && comment.body.includes(marker))) {
    return { posted: false };
  }
  await gitea.createComment(ref, renderDispatchComment(input, giteaUser, secrets));
  return { posted: true };
}
