/** CPU time (user + system, ms) of a process and of its waited-for children, from /proc (Linux only). */
import { readFileSync } from 'node:fs';

export interface CpuSample {
  self: number;
  children: number;
}

const TICK_MS = 10; // USER_HZ is 100 on every Linux this runs on.

export function cpuOf(pid: number): CpuSample | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // After "pid (comm) ": state is field 0, utime 11, stime 12, cutime 13, cstime 14.
    return {
      self: (Number(fields[11]) + Number(fields[12])) * TICK_MS,
      children: (Number(fields[13]) + Number(fields[14])) * TICK_MS,
    };
  } catch {
    return undefined;
  }
}

/** CPU ms each named process spent between `start()` and `stop()`. */
export function cpuMeter(pids: Record<string, number | undefined>) {
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, pid && cpuOf(pid)]));
  return () =>
    Object.fromEntries(
      Object.entries(pids).map(([name, pid]) => {
        const a = before[name];
        const b = pid ? cpuOf(pid) : undefined;
        return [name, a && b ? b.self - a.self + (b.children - a.children) : NaN];
      }),
    ) as Record<string, number>;
}
