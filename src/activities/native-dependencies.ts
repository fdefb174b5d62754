import { formatIssueKey } from '../domain/issue-key';
import type { NativeDependencies } from '../domain/merge-metadata';
import type { IssueSnapshot } from '../domain/types';
import { GiteaError, type GiteaClient, type GiteaIssue } from '../gitea/client';

/**
 * Gitea's native dependencies of an issue: `/dependencies` (issues blocking it) and `/blocks`. Gitea answers 404
 * for both when the repository has dependencies turned off; the issue itself is known to exist, so that means
 * "none". Any other failure is thrown, for the activity's retry policy: a missed blocker would start work early.
 */
export function createNativeDependencyFetcher(
  gitea: Pick<GiteaClient, 'listDependencies' | 'listBlocks'>,
): (issue: IssueSnapshot) => Promise<NativeDependencies> {
  return async (issue) => {
    const ref = { owner: issue.owner, repo: issue.repo, number: issue.number };
    const [blockedBy, blocks] = await Promise.all([
      orNoneWhenDisabled(gitea.listDependencies(ref)),
      orNoneWhenDisabled(gitea.listBlocks(ref)),
    ]);
    const keyOf = (other: GiteaIssue) =>
      formatIssueKey({
        owner: other.repository?.owner ?? issue.owner,
        repo: other.repository?.name ?? issue.repo,
        number: other.number,
      });
    return { blockedBy: blockedBy.map(keyOf), blocks: blocks.map(keyOf) };
  };
}

async function orNoneWhenDisabled(list: Promise<GiteaIssue[]>): Promise<GiteaIssue[]> {
  try {
    return await list;
  } catch (error) {
    if (error instanceof GiteaError && error.status === 404) return [];
    throw error;
  }
}
