/**
 * Asks the Messages API to parse an issue with a forced tool call whose input schema is derived from the zod
 * schema. Retries are the SDK's (`maxRetries`): it retries 408/409/429/5xx and connection errors with exponential
 * backoff, honouring `retry-after` / `retry-after-ms`, and never retries 400/401/403/404. Whatever still fails is
 * returned as a reason, not thrown: the caller falls back to the heuristic parser instead of failing the workflow.
 */
import Anthropic from '@anthropic-ai/sdk';
import { checkModelAnswer, modelAnswerJsonSchema, type ModelAnswer } from '../domain/metadata-schema';
import type { TokenUsage } from '../domain/merge-metadata';
import { PARSE_SYSTEM_PROMPT, PARSE_TOOL_NAME, renderIssueForPrompt } from '../domain/parse-prompt';
import type { IssueSnapshot } from '../domain/types';

export interface AnthropicParserOptions {
  apiKey: string;
  baseURL?: string;
  model: string;
  /** SDK retries after the first attempt (429, 5xx, 529, connection errors). */
  maxRetries: number;
  /** Per attempt. */
  timeoutMs: number;
  /**
   * For all attempts and the waits between them (a `retry-after` can be long). Keep it under the parse activity's
   * start-to-close timeout, so that the heuristic answers instead of the activity timing out.
   */
  totalTimeoutMs: number;
  maxOutputTokens?: number;
}

export type ModelParse =
  { ok: true; answer: ModelAnswer; usage: TokenUsage } | { ok: false; reason: string; usage?: TokenUsage };

export function describeApiFailure(
  error: unknown,
  options: Pick<AnthropicParserOptions, 'maxRetries' | 'totalTimeoutMs'>,
): string {
  const { maxRetries } = options;
  if (error instanceof Anthropic.APIUserAbortError)
    return `anthropic: no answer within ${options.totalTimeoutMs / 1000} s`;
  if (error instanceof Anthropic.APIConnectionTimeoutError) return `anthropic: timed out after ${maxRetries} retries`;
  if (error instanceof Anthropic.APIConnectionError) return `anthropic: connection failed after ${maxRetries} retries`;
  if (error instanceof Anthropic.APIError && error.status !== undefined) {
    const kind = error.type ?? 'error';
    const retried = error.status === 429 || error.status >= 500 || error.status === 408 || error.status === 409;
    return `anthropic: ${error.status} ${kind}${retried ? ` after ${maxRetries} retries` : ' (not retried)'}`;
  }
  return `anthropic: ${error instanceof Error ? error.name : 'unknown error'}`;
}

export function createAnthropicParser(options: AnthropicParserOptions): (issue: IssueSnapshot) => Promise<ModelParse> {
  const client = new Anthropic({
    apiKey: options.apiKey,
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    maxRetries: options.maxRetries,
    timeout: options.timeoutMs,
  });
  const inputSchema = modelAnswerJsonSchema();

  return async (issue) => {
    let message: Anthropic.Message;
    try {
      message = await client.messages.create(
        {
          model: options.model,
          max_tokens: options.maxOutputTokens ?? 2048,
          system: PARSE_SYSTEM_PROMPT,
          tools: [
            { name: PARSE_TOOL_NAME, description: 'Record the parsed issue metadata.', input_schema: inputSchema },
          ],
          tool_choice: { type: 'tool', name: PARSE_TOOL_NAME },
          messages: [{ role: 'user', content: renderIssueForPrompt(issue) }],
        },
        { signal: AbortSignal.timeout(options.totalTimeoutMs) },
      );
    } catch (error) {
      return { ok: false, reason: describeApiFailure(error, options) };
    }
    const usage = { inputTokens: message.usage?.input_tokens ?? 0, outputTokens: message.usage?.output_tokens ?? 0 };
    const call = message.content.find(
      (block): block is Anthropic.ToolUseBlock => block.type === 'tool_use' && block.name === PARSE_TOOL_NAME,
    );
    if (!call) return { ok: false, reason: `anthropic: answer has no ${PARSE_TOOL_NAME} call`, usage };
    const checked = checkModelAnswer(call.input);
    if (!checked.ok) return { ok: false, reason: `anthropic: answer failed validation: ${checked.reason}`, usage };
    return { ok: true, answer: checked.answer, usage };
  };
}
