import { join, resolve } from 'node:path';
import type { CoordinatorFile } from '../config-file';
import type { OperatorGates } from './plan';

type RepositoryEntry = CoordinatorFile['repositories'][number];

/** The checkout: the repository's configured workspace, else `<workspaces.root>/<owner>/<repo>`. */
export function repositoryWorkspace(file: CoordinatorFile, name: string): string {
  const entry = file.repositories.find((repo) => repo.name.toLowerCase() === name.toLowerCase());
  return resolve(entry?.workspace ?? join(file.workspaces.root, ...name.split('/')));
}

/** COORDINATOR_CONFIG_FILE's entry for a repository, found by its `owner/repo` name or else by its workspace. */
export function findRepositoryEntry(
  file: CoordinatorFile,
  { name, dir }: { name?: string; dir?: string },
): RepositoryEntry | undefined {
  const byName = name ? file.repositories.find((repo) => repo.name.toLowerCase() === name.toLowerCase()) : undefined;
  if (byName || !dir) return byName;
  return file.repositories.find((repo) => repositoryWorkspace(file, repo.name) === resolve(dir));
}

/** The operator's gates for one workspace, as the gate activity and `coordinator verify` both plan them. */
export function operatorGates(
  file: CoordinatorFile,
  fallbackThreshold: number,
  repository: RepositoryEntry | undefined,
): OperatorGates {
  return {
    global: file.gates,
    ...(repository?.gates ? { repository: repository.gates } : {}),
    coverageThreshold: file.coverageThreshold ?? fallbackThreshold,
  };
}
