import { spawn } from 'node:child_process';

/** One agent or gate step: `true` run as a child process (what a trivial gate costs), or nothing at all. */
async function runStep(spawnProcess: boolean): Promise<void> {
  if (!spawnProcess) return;
  await new Promise<void>((resolve, reject) => {
    const child = spawn('true', [], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', () => resolve());
  });
}

export const floorActivities = { runStep };
export type FloorActivities = typeof floorActivities;
