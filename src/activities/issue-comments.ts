import { commentsForParsing } from '../domain/issue-comments';
import type { IssueSnapshot } from '../domain/types';
import type { GiteaClient } from '../gitea/client';

/**
 * The issue's comments for the parsers, without the coordinator's own. A failure is thrown, for the activity's
 * retry policy: a "Blocked by" said in a comment and missed would start work early.
 */
export function createIssueCommentFetcher(
  gitea: Pick<GiteaClient, 'listComments'>,
): (issue: IssueSnapshot) => Promise<string[]> {
  return async (issue) => {
    const comments = await gitea.listComments({ owner: issue.owner, repo: issue.repo, number: issue.number });
    return commentsForParsing(comments.map((comment) => comment.body));
  };
}
