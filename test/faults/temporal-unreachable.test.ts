/**
 * Fault: Temporal is down when Gitea delivers an `assigned` webhook. The receiver answers 503 (Gitea records a
 * failed delivery; nothing was accepted that could be lost), and once Temporal is back the reconciliation
 * Schedule finds the open, assigned issue without a workflow and starts it.
 */
import { startCoordinatorStack, type CoordinatorStack } from '../helpers/coordinator-stack';
import { testServer } from '../helpers/temporal';

let stack: CoordinatorStack;
afterAll(() => stack?.close());

test('a webhook while Temporal is unreachable: 503, then reconciliation starts the workflow', async () => {
  // The SDK's gRPC retry backoff can outlast the call deadline by seconds on a loaded machine; a 1.5 s deadline
  // keeps the 503 well inside Gitea's 5 s.
  stack = await startCoordinatorStack({ ...testServer(), receiverDeadlineMs: 1_500 });
  await stack.startWorker({ RECONCILE_INTERVAL: '3s' });

  await stack.stopDevServer();
  const delivery = await stack.assign(5);
  expect(delivery.status).toBe(503);
  console.log(
    `tried: delivered "assigned" for #5 with the dev server stopped: ${delivery.status} in ${delivery.ms.toFixed(0)} ms`,
  );

  await stack.startDevServerAgain();
  console.log('tried: restarted the dev server on the same SQLite file; no webhook is sent again');
  await stack.waitForPhase([5], 'passed', 90_000);
  const started = await stack.client.workflow.list({ query: `WorkflowType = 'reconcileWorkflow'` });
  const passes: string[] = [];
  for await (const run of started) if (run.taskQueue === stack.taskQueue) passes.push(run.workflowId);
  expect(passes.length).toBeGreaterThan(0);
  console.log(`verified: the receiver answered 503; after ${passes.length} reconciliation pass(es) #5 ran to passed`);
});
