import { createHmac } from 'node:crypto';
import type { DispatchInput } from '../activities/contract';

/**
 * The `webhook` agent driver: POSTs the task as JSON to the agent's URL, signed like Gitea signs its webhooks
 * (`X-Coordinator-Signature: sha256=<hex HMAC-SHA256 of the raw body>`). The agent answers 2xx to accept and
 * later claims completion through the receiver. `dispatchId` is stable across retries of one dispatch, so the agent
 * can ignore a redelivery.
 */
export const SIGNATURE_HEADER = 'X-Coordinator-Signature';
export const DISPATCH_ID_HEADER = 'X-Coordinator-Dispatch-Id';

export interface WebhookTask {
  dispatchId: string;
  issueKey: string;
  issue: { owner: string; repo: string; number: number; title: string; htmlUrl?: string };
  agent: string;
  round: number;
  prompt: string;
}

export function webhookTask(input: DispatchInput): WebhookTask {
  const { issue } = input;
  return {
    dispatchId: input.dispatchId,
    issueKey: issue.key,
    issue: {
      owner: issue.owner,
      repo: issue.repo,
      number: issue.number,
      title: issue.title,
      ...(issue.htmlUrl ? { htmlUrl: issue.htmlUrl } : {}),
    },
    agent: input.agent,
    round: input.round,
    prompt: input.prompt,
  };
}

export function signBody(rawBody: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

export class WebhookDispatchError extends Error {
  override name = 'WebhookDispatchError';
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface PostTaskOptions {
  url: string;
  secret: string;
  task: WebhookTask;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Resolves on 2xx; throws WebhookDispatchError (retryable for 5xx, 408, 429 and network errors). */
export async function postTask(options: PostTaskOptions): Promise<{ status: number }> {
  const url = new URL(options.url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new WebhookDispatchError(`agent URL must be http(s): ${url.protocol}`, false);
  }
  const rawBody = JSON.stringify(options.task);
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      headers: {
        'Content-Type': 'application/json',
        [SIGNATURE_HEADER]: signBody(rawBody, options.secret),
        [DISPATCH_ID_HEADER]: options.task.dispatchId,
      },
      body: rawBody,
    });
  } catch (error) {
    throw new WebhookDispatchError(`agent webhook ${url.origin} unreachable: ${(error as Error).message}`, true);
  }
  await response.body?.cancel();
  if (response.ok) return { status: response.status };
  const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
  const what = response.status >= 300 && response.status < 400 ? 'redirected (not followed)' : 'refused the task';
  throw new WebhookDispatchError(`agent webhook ${url.origin} ${what}: ${response.status}`, retryable);
}
