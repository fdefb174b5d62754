/**
 * The image's HEALTHCHECK: healthy when this container's own endpoint answers 200 — the receiver's `GET /health`
 * or the worker's Prometheus `GET /metrics` (served by the SDK runtime only while the worker process lives).
 * One probe for both roles, because a container runs exactly one of them and the other port stays closed.
 */
import { DEFAULT_WORKER_METRICS_ADDRESS, loadConfig, type Config } from './config';

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]', '']);

function localHost(host: string): string {
  return WILDCARD_HOSTS.has(host) ? '127.0.0.1' : host;
}

export function probeUrls(config: Config): string[] {
  const metrics = config.workerMetricsAddress ?? DEFAULT_WORKER_METRICS_ADDRESS;
  const colon = metrics.lastIndexOf(':');
  return [
    `http://${localHost(config.receiver.host)}:${config.receiver.port}/health`,
    `http://${localHost(metrics.slice(0, colon))}:${metrics.slice(colon + 1)}/metrics`,
  ];
}

async function answers(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

/** Resolves to the healthy URL, or undefined when none answers. */
export async function probe(urls: string[], timeoutMs = 3_000): Promise<string | undefined> {
  const results = await Promise.all(urls.map(async (url) => ((await answers(url, timeoutMs)) ? url : undefined)));
  return results.find((url) => url !== undefined);
}

if (require.main === module) {
  const urls = probeUrls(loadConfig());
  probe(urls).then(
    (healthy) => {
      process.stdout.write(healthy ? `healthy: ${healthy}\n` : `unhealthy: no answer from ${urls.join(', ')}\n`);
      process.exit(healthy ? 0 : 1);
    },
    () => process.exit(1),
  );
}
