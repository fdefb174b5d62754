/**
 * Issue keys name one issue across repositories: `owner/repo#42`. They are the workflow id, so they must be
 * canonical: lowercase owner and repo (Gitea treats them case-insensitively), no leading zeros.
 */
export type IssueKey = string;

export interface IssueRef {
  owner: string;
  repo: string;
  number: number;
}

/** An owner or repository name; `.` and `..` are not names (they would walk paths in URLs and workspaces). */
const NAME = '(?!\\.\\.?(?![A-Za-z0-9_.-]))[A-Za-z0-9_.-]{1,100}';
const KEY_PATTERN = new RegExp(`^(${NAME})/(${NAME})#([1-9][0-9]{0,9})$`);

export function formatIssueKey(ref: IssueRef): IssueKey {
  return `${ref.owner.toLowerCase()}/${ref.repo.toLowerCase()}#${ref.number}`;
}

export function parseIssueKey(key: string): IssueRef | undefined {
  const match = KEY_PATTERN.exec(key.trim());
  if (!match) return undefined;
  const [, owner, repo, number] = match;
  return { owner: owner!.toLowerCase(), repo: repo!.toLowerCase(), number: Number(number) };
}

export function isIssueKey(key: string): boolean {
  return parseIssueKey(key) !== undefined && formatIssueKey(parseIssueKey(key)!) === key;
}

/** Resolves `#41`, `repo#41` or `owner/repo#41` relative to the repository the reference appears in. */
export function resolveIssueReference(
  reference: string,
  context: { owner: string; repo: string },
): IssueKey | undefined {
  const trimmed = reference.trim();
  const local = /^#([1-9][0-9]{0,9})$/.exec(trimmed);
  if (local) return formatIssueKey({ owner: context.owner, repo: context.repo, number: Number(local[1]) });
  const sameOwner = new RegExp(`^(${NAME})#([1-9][0-9]{0,9})$`).exec(trimmed);
  if (sameOwner) return formatIssueKey({ owner: context.owner, repo: sameOwner[1]!, number: Number(sameOwner[2]) });
  const full = parseIssueKey(trimmed);
  return full ? formatIssueKey(full) : undefined;
}
