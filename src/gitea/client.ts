import { z } from 'zod';
import type { Logger } from '../logger';
import type { IssueRef } from '../domain/issue-key';

/**
 * A small typed Gitea REST client (API v1) on the global fetch: only the endpoints the coordinator uses. Response
 * shapes follow go-gitea/gitea modules/structs (Issue, Comment, Label, User, RepositoryMeta); unknown fields are
 * ignored so newer Gitea versions keep working.
 *
 * Safety: every request goes to the configured origin only, redirects are never followed (a 3xx is an error),
 * each attempt has a timeout, and the token travels only in the Authorization header (never in a URL, an error
 * message or a log line).
 */

const userSchema = z.object({ id: z.number(), login: z.string() });
export type GiteaUser = z.infer<typeof userSchema>;

const labelSchema = z.object({
  id: z.number(),
  name: z.string(),
  color: z.string().optional(),
  description: z.string().nullish(),
});
export type GiteaLabel = z.infer<typeof labelSchema>;

const issueSchema = z.object({
  id: z.number(),
  number: z.number().int().positive(),
  title: z.string(),
  body: z.string().nullish(),
  state: z.enum(['open', 'closed']),
  html_url: z.string().optional(),
  user: userSchema.nullish(),
  labels: z.array(labelSchema).nullish(),
  assignees: z.array(userSchema).nullish(),
  pull_request: z.unknown().optional(),
  /** RepositoryMeta: present on every issue the API returns; dependencies may live in other repositories. */
  repository: z.object({ name: z.string(), owner: z.string(), full_name: z.string().optional() }).nullish(),
});
export type GiteaIssue = z.infer<typeof issueSchema>;

const commentSchema = z.object({
  id: z.number(),
  body: z.string(),
  user: userSchema.nullish(),
  html_url: z.string().optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
});
export type GiteaComment = z.infer<typeof commentSchema>;

export type GiteaErrorKind = 'http' | 'network' | 'timeout' | 'redirect' | 'origin' | 'invalid-response';

export class GiteaError extends Error {
  override name = 'GiteaError';
  constructor(
    message: string,
    readonly kind: GiteaErrorKind,
    /** False when repeating the same request cannot help (4xx other than 408/429, redirects, bad responses). */
    readonly retryable: boolean,
    readonly status?: number,
    /** The server's Retry-After, when it sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface GiteaClientOptions {
  /** GITEA_URL, e.g. `https://gitea.example.com` or `https://example.com/gitea`. */
  baseUrl: string;
  token: string;
  log?: Logger;
  /** Per attempt. Default 10 s. */
  timeoutMs?: number;
  /** Retries after the first attempt on 5xx/429/network errors. Default 3. */
  retries?: number;
  /** First backoff delay; doubles each retry, with jitter. Default 500 ms. */
  backoffMs?: number;
  /** Upper bound on any one wait, including a server's Retry-After. Default 30 s. */
  maxDelayMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export interface ListIssuesOptions {
  /** Only issues assigned to this user (Gitea's `assigned_by` filter). */
  assignedTo?: string;
}

export interface LabelSpec {
  name: string;
  color: string;
  description?: string;
}

export interface GiteaClient {
  /** The user the token belongs to (`GET /user`), fetched once per client. */
  currentUser(): Promise<GiteaUser>;
  /** `null` when the issue does not exist (404). */
  getIssue(ref: IssueRef): Promise<GiteaIssue | null>;
  listOpenIssues(owner: string, repo: string, options?: ListIssuesOptions): Promise<GiteaIssue[]>;
  /** Issues that block this one (native dependencies). */
  listDependencies(ref: IssueRef): Promise<GiteaIssue[]>;
  /** Issues this one blocks. */
  listBlocks(ref: IssueRef): Promise<GiteaIssue[]>;
  listComments(ref: IssueRef): Promise<GiteaComment[]>;
  createComment(ref: IssueRef, body: string): Promise<GiteaComment>;
  editComment(owner: string, repo: string, commentId: number, body: string): Promise<GiteaComment>;
  listRepoLabels(owner: string, repo: string): Promise<GiteaLabel[]>;
  /** Finds the repository label by name (case-insensitive), creating it when missing. */
  ensureLabel(owner: string, repo: string, spec: LabelSpec): Promise<GiteaLabel>;
  /** Adds labels by name, creating missing repository labels first. Returns the issue's labels. */
  addLabels(ref: IssueRef, specs: LabelSpec[]): Promise<GiteaLabel[]>;
  /** Removes a label by id; a label that is not on the issue is not an error. */
  removeLabel(ref: IssueRef, labelId: number): Promise<void>;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

interface RequestSpec {
  method: Method;
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Statuses answered without an error (e.g. 404 for a lookup). */
  accept?: number[];
}

interface RawResponse {
  status: number;
  headers: Headers;
  json: unknown;
}

const PAGE_SIZE = 50;
const MAX_PAGES = 200;

export function createGiteaClient(options: GiteaClientOptions): GiteaClient {
  const base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new GiteaError(`GITEA_URL must be http(s), got ${base.protocol}`, 'origin', false);
  }
  const apiRoot = new URL('api/v1/', base);
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = options.retries ?? 3;
  const backoffMs = options.backoffMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const seg = encodeURIComponent;

  function urlFor(spec: RequestSpec): URL {
    const url = new URL(spec.path.replace(/^\//, ''), apiRoot);
    if (url.origin !== apiRoot.origin || !url.pathname.startsWith(apiRoot.pathname)) {
      throw new GiteaError(`refusing a request outside GITEA_URL: ${spec.method} ${spec.path}`, 'origin', false);
    }
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  async function attempt(spec: RequestSpec, url: URL): Promise<RawResponse> {
    const label = `${spec.method} ${url.pathname}`;
    let response: Response;
    try {
      response = await doFetch(url, {
        method: spec.method,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
        headers: {
          Authorization: `token ${options.token}`,
          Accept: 'application/json',
          ...(spec.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
      });
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new GiteaError(`Gitea ${label} timed out after ${timeoutMs} ms`, 'timeout', true);
      }
      throw new GiteaError(`Gitea ${label} failed: ${(error as Error).message}`, 'network', true);
    }
    const text = await response.text();
    if (response.status >= 300 && response.status < 400) {
      throw new GiteaError(
        `Gitea ${label} answered a redirect (${response.status}); redirects are not followed: check GITEA_URL`,
        'redirect',
        false,
        response.status,
      );
    }
    if (!response.ok && !(spec.accept ?? []).includes(response.status)) {
      const retryable = response.status >= 500 || response.status === 429 || response.status === 408;
      throw new GiteaError(
        `Gitea ${label} answered ${response.status}${giteaMessage(text)}`,
        'http',
        retryable,
        response.status,
        parseRetryAfter(response.headers.get('retry-after')),
      );
    }
    let json: unknown = undefined;
    if (text.length > 0) {
      try {
        json = JSON.parse(text);
      } catch {
        throw new GiteaError(
          `Gitea ${label} answered ${response.status} with a body that is not JSON`,
          'invalid-response',
          false,
          response.status,
        );
      }
    }
    return { status: response.status, headers: response.headers, json };
  }

  async function request(spec: RequestSpec): Promise<RawResponse> {
    const url = urlFor(spec);
    for (let attemptNo = 0; ; attemptNo++) {
      try {
        const result = await attempt(spec, url);
        options.log?.debug({ method: spec.method, path: url.pathname, status: result.status }, 'gitea request');
        return result;
      } catch (error) {
        if (!(error instanceof GiteaError) || !error.retryable || attemptNo >= retries) throw error;
        // A POST whose response was lost may have been applied; only retry it when the server answered an error.
        if (spec.method === 'POST' && error.kind !== 'http') throw error;
        const retryAfter = error.retryAfterMs;
        const backoff = backoffMs * 2 ** attemptNo * (0.5 + Math.random() / 2);
        const delay = Math.min(maxDelayMs, retryAfter ?? backoff);
        options.log?.warn(
          { method: spec.method, path: url.pathname, status: error.status, attempt: attemptNo + 1, delayMs: delay },
          'gitea request failed; retrying',
        );
        await sleep(delay);
      }
    }
  }

  async function call<T>(schema: z.ZodType<T>, spec: RequestSpec): Promise<T> {
    const response = await request(spec);
    return parse(schema, response.json, spec);
  }

  async function listAll<T>(schema: z.ZodType<T>, spec: RequestSpec): Promise<T[]> {
    const items: T[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const pageSpec = { ...spec, query: { ...spec.query, page, limit: PAGE_SIZE } };
      const response = await request(pageSpec);
      const batch = parse(z.array(schema), response.json ?? [], pageSpec);
      items.push(...batch);
      // Gitea caps `limit` at its MAX_RESPONSE_ITEMS, so a short page alone does not prove the end.
      const total = Number(response.headers.get('x-total-count') ?? Number.NaN);
      if (batch.length === 0 || (Number.isFinite(total) && items.length >= total)) return items;
    }
    throw new GiteaError(`Gitea ${spec.path}: more than ${MAX_PAGES} pages`, 'invalid-response', false);
  }

  const issuePath = (ref: IssueRef) => `repos/${seg(ref.owner)}/${seg(ref.repo)}/issues/${ref.number}`;

  let currentUser: Promise<GiteaUser> | undefined;

  const client: GiteaClient = {
    currentUser() {
      if (currentUser) return currentUser;
      const lookup = call(userSchema, { method: 'GET', path: 'user' });
      // A failed lookup is not cached: the next call asks again.
      lookup.catch(() => {
        if (currentUser === lookup) currentUser = undefined;
      });
      currentUser = lookup;
      return lookup;
    },
    async getIssue(ref) {
      const response = await request({ method: 'GET', path: issuePath(ref), accept: [404] });
      if (response.status === 404) return null;
      return parse(issueSchema, response.json, { method: 'GET', path: issuePath(ref) });
    },
    listOpenIssues: (owner, repo, listOptions = {}) =>
      listAll(issueSchema, {
        method: 'GET',
        path: `repos/${seg(owner)}/${seg(repo)}/issues`,
        query: { state: 'open', type: 'issues', assigned_by: listOptions.assignedTo },
      }),
    listDependencies: (ref) => listAll(issueSchema, { method: 'GET', path: `${issuePath(ref)}/dependencies` }),
    listBlocks: (ref) => listAll(issueSchema, { method: 'GET', path: `${issuePath(ref)}/blocks` }),
    // The issue comments endpoint takes no page/limit: it answers every comment at once.
    listComments: (ref) => call(z.array(commentSchema), { method: 'GET', path: `${issuePath(ref)}/comments` }),
    createComment: (ref, body) =>
      call(commentSchema, { method: 'POST', path: `${issuePath(ref)}/comments`, body: { body } }),
    editComment: (owner, repo, commentId, body) =>
      call(commentSchema, {
        method: 'PATCH',
        path: `repos/${seg(owner)}/${seg(repo)}/issues/comments/${commentId}`,
        body: { body },
      }),
    listRepoLabels: (owner, repo) =>
      listAll(labelSchema, { method: 'GET', path: `repos/${seg(owner)}/${seg(repo)}/labels` }),
    async ensureLabel(owner, repo, spec) {
      const find = (labels: GiteaLabel[]) => labels.find((l) => l.name.toLowerCase() === spec.name.toLowerCase());
      const existing = find(await client.listRepoLabels(owner, repo));
      if (existing) return existing;
      const path = `repos/${seg(owner)}/${seg(repo)}/labels`;
      const response = await request({ method: 'POST', path, body: spec, accept: [409, 422] });
      if (response.status === 201 || response.status === 200)
        return parse(labelSchema, response.json, { method: 'POST', path });
      // Created concurrently by another worker: read it back.
      const raced = find(await client.listRepoLabels(owner, repo));
      if (!raced)
        throw new GiteaError(
          `Gitea refused to create label ${spec.name} (${response.status})`,
          'http',
          false,
          response.status,
        );
      return raced;
    },
    async addLabels(ref, specs) {
      const ids: number[] = [];
      for (const spec of specs) ids.push((await client.ensureLabel(ref.owner, ref.repo, spec)).id);
      return call(z.array(labelSchema), { method: 'POST', path: `${issuePath(ref)}/labels`, body: { labels: ids } });
    },
    async removeLabel(ref, labelId) {
      await request({ method: 'DELETE', path: `${issuePath(ref)}/labels/${labelId}`, accept: [404] });
    },
  };
  return client;
}

function parse<T>(schema: z.ZodType<T>, value: unknown, spec: { method: string; path: string }): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new GiteaError(
    `Gitea ${spec.method} ${spec.path}: unexpected response at ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    'invalid-response',
    false,
  );
}

/** Gitea's error bodies are `{"message": "...", "url": "..."}`; keep the message, bounded. */
function giteaMessage(text: string): string {
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    return typeof message === 'string' && message ? `: ${message.slice(0, 200)}` : '';
  } catch {
    return '';
  }
}

/** Retry-After as delta-seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A client from GITEA_URL and GITEA_TOKEN, or undefined when either is unset. */
export function giteaClientFromConfig(
  gitea: { url: string | undefined; token: string | undefined },
  log?: Logger,
): GiteaClient | undefined {
  if (!gitea.url || !gitea.token) return undefined;
  return createGiteaClient({ baseUrl: gitea.url, token: gitea.token, log });
}
