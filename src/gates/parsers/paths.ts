import { isAbsolute, relative } from 'node:path';

/** Paths in findings are relative to the workspace, so prompts read the same wherever the checkout lives. */
export function relativeTo(dir: string, file: string): string {
  const normalized = file.replace(/^file:\/\//, '');
  if (!isAbsolute(normalized)) return normalized.replace(/^\.\//, '');
  const rel = relative(dir, normalized);
  return rel.startsWith('..') ? normalized : rel;
}
