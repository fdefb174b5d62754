/** How many of an issue's latest comments the parsers read ("Blocked by #41" may be said in a comment). */
export const MAX_PARSED_COMMENTS = 20;

/**
 * The coordinator's own comments (the status comment, a `gitea-comment` dispatch) open with a hidden
 * `<!-- issue-coordinator:… -->` marker. They quote the issue and its blockers back, so reading them would make
 * the coordinator take its own words for the reporter's.
 */
const COORDINATOR_MARKER = /^\s*<!-- issue-coordinator:/;

export function isCoordinatorComment(body: string): boolean {
  return COORDINATOR_MARKER.test(body);
}

/** Bodies in Gitea's order (oldest first): the latest MAX_PARSED_COMMENTS that people wrote. */
export function commentsForParsing(bodies: readonly string[]): string[] {
  return bodies.filter((body) => !isCoordinatorComment(body)).slice(-MAX_PARSED_COMMENTS);
}
