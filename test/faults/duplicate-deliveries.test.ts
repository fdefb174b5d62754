/**
 * Fault: one `assigned` event delivered 100 times at once: 50 duplicates (the same delivery id, as a retrying
 * Gitea sends) and 50 replays (the same signed body under new delivery ids). One workflow, one effect.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IssueKeyAttr } from '../../src/temporal/search-attributes';
import { issuePayload, sendGiteaWebhook } from '../fakes/gitea-server';
import {
  issueKey,
  OWNER,
  REPO,
  STACK_WEBHOOK_SECRET,
  startCoordinatorStack,
  type CoordinatorStack,
} from '../helpers/coordinator-stack';
import { testServer } from '../helpers/temporal';

// Each run of the agent appends its dispatch id: the number of lines is the number of times work was handed out.
const RECORDING_AGENT = [
  process.execPath,
  '-e',
  "require('fs').appendFileSync('dispatches.log', process.env.COORDINATOR_DISPATCH_ID + '\\n')",
];

let stack: CoordinatorStack;
afterAll(() => stack?.close());

test('100 concurrent duplicate and replayed deliveries: one workflow, one dispatch, one status comment', async () => {
  stack = await startCoordinatorStack({ ...testServer(), agentCommand: RECORDING_AGENT });
  await stack.startWorker();
  const issue = stack.gitea.addIssue({ owner: OWNER, repo: REPO, number: 7, title: 'Once only', assignees: ['bot'] });
  const payload = issuePayload('assigned', issue, stack.gitea);
  const send = (deliveryId?: string) =>
    sendGiteaWebhook(stack.receiverUrl, { event: 'issues', payload, secret: STACK_WEBHOOK_SECRET, deliveryId });
  const results = await Promise.all(
    Array.from({ length: 100 }, (_, i) => send(i % 2 === 0 ? 'the-same-delivery' : undefined)),
  );
  console.log('tried: 100 concurrent deliveries of one assigned event (50 duplicate ids, 50 replays)');
  expect(results.map((result) => result.status)).toEqual(results.map(() => 202));

  await stack.waitForPhase([7], 'passed', 60_000);
  const runs = await stack.client.workflow.count(`${IssueKeyAttr.name} = '${issueKey(7)}'`);
  expect(runs.count).toBe(1);
  const dispatches = readFileSync(join(stack.dir, 'workspace', 'dispatches.log'), 'utf8')
    .trim()
    .split('\n');
  expect(dispatches).toHaveLength(1);
  expect(await stack.waitForStatusComment(7, 'every quality gate passed', 30_000)).toHaveLength(1);
  expect((await stack.status(7)).round).toBe(1);
  console.log('verified: every delivery answered 202; 1 workflow, 1 agent dispatch, round 1, 1 status comment');
});
