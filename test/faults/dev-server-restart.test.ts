/**
 * Fault: the Temporal dev server stops and starts again on the same SQLite file while issues are mid-lifecycle.
 * Every workflow must still complete (reach passed), with the worker and the receiver's client reconnecting.
 */
import { startCoordinatorStack, type CoordinatorStack } from '../helpers/coordinator-stack';
import { testServer } from '../helpers/temporal';

const ISSUES = Array.from({ length: 10 }, (_, i) => i + 1);
// The agent takes a moment, so that the restart finds issues working, verifying and passed.
const SLOW_AGENT = [process.execPath, '-e', 'setTimeout(() => {}, 1500)'];

let stack: CoordinatorStack;
afterAll(() => stack?.close());

test('every workflow completes across a dev server restart on the same SQLite file', async () => {
  stack = await startCoordinatorStack({ ...testServer(), agentCommand: SLOW_AGENT });
  await stack.startWorker();
  // Half now, half once the first are working: the restart then finds issues at different points.
  for (const number of ISSUES.slice(0, 5)) expect((await stack.assign(number)).status).toBe(202);
  await stack.waitForPhase([1], 'working', 30_000);
  for (const number of ISSUES.slice(5)) expect((await stack.assign(number)).status).toBe(202);
  const phases = await Promise.all(ISSUES.map(async (n) => (await stack.status(n)).phase));
  expect(phases).toContain('working');
  expect(phases).not.toEqual(ISSUES.map(() => 'passed'));

  await stack.stopDevServer();
  await new Promise((resolve) => setTimeout(resolve, 2000));
  await stack.startDevServerAgain();
  console.log(`tried: stopped the dev server with issues in phases ${[...new Set(phases)].join(', ')}; restarted it`);

  await stack.waitForPhase(ISSUES, 'passed', 90_000);
  const late = 11;
  expect((await stack.assign(late)).status).toBe(202);
  await stack.waitForPhase([late], 'passed', 30_000);
  console.log(`verified: all ${ISSUES.length} issues passed after the restart; a new webhook afterwards passed too`);
});
