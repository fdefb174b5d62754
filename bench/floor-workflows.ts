/** The cheapest lifecycle with the coordinator's shape: one agent activity, then three gate activities at once. */
import { proxyActivities } from '@temporalio/workflow';
import type { FloorActivities } from './floor-activities';

const { runStep } = proxyActivities<FloorActivities>({ startToCloseTimeout: '1 minute' });

export async function floorLifecycle(spawnProcesses: boolean): Promise<void> {
  await runStep(spawnProcesses);
  await Promise.all([runStep(spawnProcesses), runStep(spawnProcesses), runStep(spawnProcesses)]);
}
