/** Remembers `key` in a list that keeps only the newest `limit` keys (oldest dropped first). Pure. */
export function rememberKey(keys: readonly string[], key: string, limit: number): string[] {
  const kept = keys.filter((existing) => existing !== key);
  kept.push(key);
  return kept.length > limit ? kept.slice(kept.length - limit) : kept;
}
