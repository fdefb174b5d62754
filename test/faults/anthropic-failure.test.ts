/**
 * Fault: the Anthropic stand-in answers the first issue, then fails (500s) for the rest of the run. Issues parsed
 * after that fall back to the heuristic parser, and every lifecycle still completes.
 */
import { PARSE_TOOL_NAME } from '../../src/domain/parse-prompt';
import { internalError, startFakeAnthropic, toolUseResponse, type FakeAnthropic } from '../fakes/anthropic-server';
import { startCoordinatorStack, type CoordinatorStack } from '../helpers/coordinator-stack';
import { testServer } from '../helpers/temporal';

const modelAnswer = {
  estimated_context_tokens: 20_000,
  difficulty: 'easy',
  blocked_by: [],
  blocks: [],
  summary: 'Add the feature.',
  acceptance_criteria: ['It works'],
};

let stack: CoordinatorStack;
let anthropic: FakeAnthropic;
afterAll(async () => {
  await stack?.close();
  await anthropic?.close();
});

test('the model failing mid-run: heuristic fallback, every lifecycle completes', async () => {
  anthropic = await startFakeAnthropic([toolUseResponse(PARSE_TOOL_NAME, modelAnswer)]);
  stack = await startCoordinatorStack({
    ...testServer(),
    workerEnv: {
      ANTHROPIC_API_KEY: 'sk-ant-fault-test',
      ANTHROPIC_BASE_URL: anthropic.url,
      ANTHROPIC_MAX_RETRIES: '1',
    },
  });
  await stack.startWorker();
  expect((await stack.assign(1)).status).toBe(202);
  await stack.waitForPhase([1], 'passed', 60_000);

  anthropic.setFallback(internalError());
  const failing = [2, 3, 4];
  for (const number of failing) expect((await stack.assign(number)).status).toBe(202);
  console.log('tried: the model answered issue 1, then every request failed with 500 while issues 2-4 arrived');
  await stack.waitForPhase(failing, 'passed', 90_000);

  expect((await stack.status(1)).metadata?.parser).toBe('anthropic');
  for (const number of failing) {
    const { metadata } = await stack.status(number);
    expect(metadata).toMatchObject({ parser: 'heuristic', fallbackReason: expect.stringContaining('500') });
  }
  const failedCalls = anthropic.requests.length - 1;
  expect(failedCalls).toBeGreaterThanOrEqual(failing.length * 2);
  console.log(
    `verified: issue 1 parsed by the model; issues 2-4 by the heuristic parser after ${failedCalls} failed ` +
      'model calls (each retried once); all four passed',
  );
});
