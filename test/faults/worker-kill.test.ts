/**
 * Fault: the worker is SIGKILLed while a gate runs. A new worker must finish the workflow, the issue must get
 * exactly one status comment (ending passed), and the gate process the dead worker started must not outlive it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OWNER, REPO, startCoordinatorStack, type CoordinatorStack } from '../helpers/coordinator-stack';
import { isAlive, waitUntil } from '../helpers/processes';
import { testServer } from '../helpers/temporal';

// The first run records its pid and hangs; a later run (the retry) passes at once.
const HANGING_ONCE = [
  "const fs = require('fs');",
  "if (fs.existsSync('gate.pid')) process.exit(0);",
  "fs.writeFileSync('gate.pid', String(process.pid));",
  'setInterval(() => {}, 1000);',
].join(' ');

let stack: CoordinatorStack;
afterAll(() => stack?.close());

test('a worker killed mid-gate: a new worker finishes, one status comment, no orphan gate', async () => {
  const noop = { command: [process.execPath, '-e', '0'] };
  stack = await startCoordinatorStack({
    ...testServer(),
    gates: { build: noop, lint: noop, test: { command: [process.execPath, '-e', HANGING_ONCE] }, coverage: false },
  });
  const first = await stack.startWorker();
  expect((await stack.assign(1)).status).toBe(202);
  const pidFile = join(stack.dir, 'workspace', 'gate.pid');
  expect(await waitUntil(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '', 60_000)).toBe(true);
  const gatePid = Number(readFileSync(pidFile, 'utf8'));
  expect((await stack.status(1)).phase).toBe('verifying');

  await first.kill();
  console.log(`tried: SIGKILL worker ${first.pid} while the test gate (pid ${gatePid}) ran; started a new worker`);
  await stack.startWorker();
  // The gate's heartbeat timeout (1 minute) must pass before its retry goes to the new worker.
  await stack.waitForPhase([1], 'passed', 150_000);

  const statusComments = await stack.waitForStatusComment(1, 'every quality gate passed', 30_000);
  expect(statusComments).toHaveLength(1);
  // The phase label is swapped just after the comment is edited.
  const labels = () => stack.gitea.labelNamesOn({ owner: OWNER, repo: REPO, number: 1 });
  await waitUntil(() => labels().includes('coordinator/passed'), 10_000);
  expect(labels()).toEqual(['coordinator/passed']);
  expect(isAlive(gatePid)).toBe(false);
  console.log(
    `verified: the new worker finished the workflow (passed); 1 status comment, edited to "passed"; ` +
      `the dead worker's gate process ${gatePid} is gone`,
  );
});
