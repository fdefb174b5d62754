import { hostname } from 'node:os';
import type { Logger } from '../logger';

/** What an activity that runs a detached process group puts in its heartbeats, so that a retry can find it. */
export interface ProcessGroupHeartbeat {
  processGroup?: number;
  host: string;
}

export function processGroupHeartbeat(processGroup: number | undefined): ProcessGroupHeartbeat {
  return { processGroup, host: hostname() };
}

/**
 * A retry after a heartbeat timeout means the previous attempt's worker died or hung: its command, in a process
 * group of its own, would keep running with nobody to wait for it. Its last heartbeat named that group; on the
 * same host (a group id means nothing elsewhere) the group is killed before the command runs again.
 */
export function killAbandonedAttempt(
  info: { attempt: number; heartbeatDetails?: unknown },
  log: Pick<Logger, 'warn'>,
): void {
  if (info.attempt <= 1) return;
  const previous = info.heartbeatDetails as Partial<ProcessGroupHeartbeat> | undefined;
  if (!previous?.processGroup || previous.host !== hostname()) return;
  try {
    process.kill(-previous.processGroup, 'SIGKILL');
    log.warn({ previous }, "killed the previous attempt's abandoned process group");
  } catch {
    // ESRCH: it had already finished.
  }
}
