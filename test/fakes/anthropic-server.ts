/**
 * A local stand-in for the Anthropic Messages API, for tests that drive the real `@anthropic-ai/sdk` through
 * `baseURL`. It listens on 127.0.0.1 on a random port, records every request, and answers `POST /v1/messages`
 * from a script: a queue of responses consumed in order (status, headers such as `retry-after`, a JSON body or raw
 * text). When the queue is empty it answers with `fallback` if one is set, else a 500 that names the problem.
 *
 *   const fake = await startFakeAnthropic();
 *   fake.enqueue(rateLimited(1), toolUseResponse('record_issue_metadata', { ... }));
 *   const client = new Anthropic({ apiKey: 'test-key', baseURL: fake.url });
 *   ...
 *   expect(fake.requests).toHaveLength(2);
 *   await fake.close();
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedResponse {
  status?: number;
  headers?: Record<string, string>;
  /** Serialised as JSON. Ignored when `rawBody` is set. */
  body?: unknown;
  /** Sent as is, e.g. to test malformed JSON. */
  rawBody?: string;
  /** Wait before answering, e.g. to trigger the client's timeout. */
  delayMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body; undefined when the body was not JSON. */
  body: unknown;
  receivedAt: number;
}

export interface FakeAnthropic {
  /** Base URL for the SDK's `baseURL` option. */
  url: string;
  requests: RecordedRequest[];
  enqueue(...responses: ScriptedResponse[]): void;
  /** Answer for requests that find the queue empty. */
  setFallback(response: ScriptedResponse | undefined): void;
  close(): Promise<void>;
}

export interface Usage {
  input_tokens: number;
  output_tokens: number;
}

const DEFAULT_USAGE: Usage = { input_tokens: 812, output_tokens: 143 };

function message(content: unknown[], stopReason: string, usage: Usage, model: string) {
  return {
    id: `msg_fake_${Math.random().toString(36).slice(2, 12)}`,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: { cache_creation_input_tokens: 0, cache_read_input_tokens: 0, ...usage },
  };
}

/** A 200 answer whose content is one `tool_use` block, as a forced tool call produces. */
export function toolUseResponse(
  name: string,
  input: unknown,
  usage: Usage = DEFAULT_USAGE,
  model = 'claude-sonnet-5-5',
): ScriptedResponse {
  const block = { type: 'tool_use', id: `toolu_fake_${Math.random().toString(36).slice(2, 12)}`, name, input };
  return { status: 200, body: message([block], 'tool_use', usage, model) };
}

/** A 200 answer with one text block. */
export function textResponse(
  text: string,
  usage: Usage = DEFAULT_USAGE,
  model = 'claude-sonnet-5-5',
): ScriptedResponse {
  return { status: 200, body: message([{ type: 'text', text }], 'end_turn', usage, model) };
}

/** An error in the API's format: `{ type: 'error', error: { type, message } }`. */
export function errorResponse(
  status: number,
  type: string,
  messageText = type,
  headers: Record<string, string> = {},
): ScriptedResponse {
  return { status, headers, body: { type: 'error', error: { type, message: messageText } } };
}

export const rateLimited = (retryAfterSeconds: number): ScriptedResponse =>
  errorResponse(429, 'rate_limit_error', 'Number of requests has exceeded your rate limit', {
    'retry-after': String(retryAfterSeconds),
  });

/** 529 as the API sends it under load. `retryAfterMs` keeps test backoff short (the SDK honours retry-after-ms). */
export const overloaded = (retryAfterMs = 10): ScriptedResponse =>
  errorResponse(529, 'overloaded_error', 'Overloaded', { 'retry-after-ms': String(retryAfterMs) });

export const internalError = (retryAfterMs = 10): ScriptedResponse =>
  errorResponse(500, 'api_error', 'Internal server error', { 'retry-after-ms': String(retryAfterMs) });

export const unauthorized = (): ScriptedResponse => errorResponse(401, 'authentication_error', 'invalid x-api-key');

export async function startFakeAnthropic(initial: ScriptedResponse[] = []): Promise<FakeAnthropic> {
  const queue = [...initial];
  const requests: RecordedRequest[] = [];
  let fallback: ScriptedResponse | undefined;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        receivedAt: Date.now(),
      });

      const isMessages = req.method === 'POST' && (req.url ?? '').split('?')[0] === '/v1/messages';
      const scripted = isMessages
        ? (queue.shift() ?? fallback ?? errorResponse(500, 'api_error', 'fake server: no scripted response left'))
        : errorResponse(404, 'not_found_error', `fake server: no route for ${req.method} ${req.url}`);
      const send = () => {
        const payload = scripted.rawBody ?? JSON.stringify(scripted.body ?? {});
        res.writeHead(scripted.status ?? 200, {
          'content-type': 'application/json',
          'request-id': `req_fake_${requests.length}`,
          ...scripted.headers,
        });
        res.end(payload);
      };
      if (scripted.delayMs) setTimeout(send, scripted.delayMs);
      else send();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...responses) => queue.push(...responses),
    setFallback: (response) => {
      fallback = response;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
