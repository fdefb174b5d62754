import type { IssueKey, IssueMetadata } from './types';

/** `[blocker, blocked]`: the first must close before the second can start. */
export type BlockEdge = readonly [IssueKey, IssueKey];

/** The edges one issue's metadata makes visible: its blockers block it, and it blocks what it says it blocks. */
export function edgesFromMetadata(
  issueKey: IssueKey,
  metadata: Pick<IssueMetadata, 'blockedBy' | 'blocks'>,
): BlockEdge[] {
  return [
    ...metadata.blockedBy.map((blocker): BlockEdge => [blocker, issueKey]),
    ...metadata.blocks.map((blocked): BlockEdge => [issueKey, blocked]),
  ];
}

/**
 * A dependency cycle through `start`, as the path `start → … → start`, or undefined when there is none. Waiting on
 * a cycle would never end, so the workflow escalates it instead.
 */
export function findDependencyCycle(start: IssueKey, edges: readonly BlockEdge[]): IssueKey[] | undefined {
  const next = new Map<IssueKey, IssueKey[]>();
  for (const [from, to] of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const visited = new Set<IssueKey>();
  const walk = (node: IssueKey, path: IssueKey[]): IssueKey[] | undefined => {
    for (const to of next.get(node) ?? []) {
      if (to === start) return [...path, to];
      if (visited.has(to)) continue;
      visited.add(to);
      const found = walk(to, [...path, to]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(start, [start]);
}

export function describeCycle(cycle: readonly IssueKey[]): string {
  return `dependency cycle: ${cycle.join(' → ')}`;
}
