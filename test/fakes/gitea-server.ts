/**
 * A fake Gitea for tests: a real HTTP server on 127.0.0.1 (random port) speaking the subset of Gitea's REST API v1
 * the coordinator uses, in memory, plus a sender of signed webhooks exactly as Gitea delivers them.
 *
 * Usage:
 *   const gitea = await startFakeGitea({ token: 'test-token' });   // gitea.url → GITEA_URL
 *   const issue = gitea.addIssue({ owner: 'acme', repo: 'widgets', title: 'Fix it', assignees: ['bot'] });
 *   gitea.addDependency({ owner: 'acme', repo: 'widgets', number: 2 }, { owner: 'acme', repo: 'widgets', number: 1 });
 *   gitea.failNext(2, { status: 429, retryAfterSeconds: 1 });        // fault injection, then normal service
 *   gitea.failNext(4, { status: 500 }, { method: 'GET', path: /\/issues\/1$/ });  // only matching requests
 *   gitea.redirectNext(1, 'https://elsewhere.example/');             // a 302 for the next request
 *   gitea.calls                                                      // every request: method, path, query, headers, body
 *   await sendGiteaWebhook(receiverUrl, { secret, event: 'issues', payload: issuePayload('assigned', issue, gitea) });
 *   await gitea.close();
 *
 * Endpoints (all under /api/v1, `Authorization: token <token>` required when a token is configured, else 401):
 *   GET    /user                                                          (the token's user: options.login)
 *   GET    /repos/{o}/{r}/issues?state=&type=&assigned_by=&page=&limit=   (X-Total-Count; limit capped at maxPageSize)
 *   GET    /repos/{o}/{r}/issues/{n}                                       (404 when absent)
 *   GET    /repos/{o}/{r}/issues/{n}/dependencies | /blocks                (paged like the list)
 *   GET    /repos/{o}/{r}/issues/{n}/comments         POST same {body}
 *   PATCH  /repos/{o}/{r}/issues/comments/{id} {body}
 *   GET    /repos/{o}/{r}/labels                      POST same {name,color,description} (409 on a duplicate name)
 *   POST   /repos/{o}/{r}/issues/{n}/labels {labels:[id|name]}
 *   DELETE /repos/{o}/{r}/issues/{n}/labels/{id}                           (204; 404 when not on the issue)
 * Owner and repository names match case-insensitively, as in Gitea. Bodies follow modules/structs (Issue with
 * `assignees: null` when empty, Comment, Label, User, RepositoryMeta).
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeIssue {
  id: number;
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  assignees: string[];
  labelIds: number[];
  author: string;
  /** Keys `owner/repo#n` of the issues that block this one. */
  dependsOn: string[];
}

export interface FakeComment {
  id: number;
  issueKey: string;
  body: string;
  author: string;
  createdAt: string;
  updatedAt: string;
}

export interface FakeLabel {
  id: number;
  repoKey: string;
  name: string;
  color: string;
  description: string;
}

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  status: number;
}

export interface NewIssue {
  owner: string;
  repo: string;
  number?: number;
  title?: string;
  body?: string;
  state?: 'open' | 'closed';
  assignees?: string[];
  labels?: string[];
  author?: string;
}

export interface FaultMatch {
  method?: string;
  path?: RegExp;
}
type Fault = (
  { kind: 'status'; status: number; retryAfterSeconds?: number } | { kind: 'redirect'; location: string }
) & {
  match?: FaultMatch;
};

export interface FakeGiteaOptions {
  /** Required token; undefined accepts any request. */
  token?: string;
  /** Gitea's MAX_RESPONSE_ITEMS: a larger `limit` is capped to it. Default 50. */
  maxPageSize?: number;
  /** The user the token belongs to: author of comments created through the API. Default `coordinator`. */
  login?: string;
}

export interface IssueRefLike {
  owner: string;
  repo: string;
  number: number;
}

const keyOf = (ref: IssueRefLike) => `${ref.owner.toLowerCase()}/${ref.repo.toLowerCase()}#${ref.number}`;
const repoKeyOf = (owner: string, repo: string) => `${owner.toLowerCase()}/${repo.toLowerCase()}`;
const userJson = (login: string) => ({
  id: Number.parseInt(createHash('sha256').update(login).digest('hex').slice(0, 8), 16),
  login,
  login_name: '',
  full_name: '',
  email: `${login}@example.invalid`,
  avatar_url: '',
  username: login,
});

export class FakeGitea {
  readonly issues = new Map<string, FakeIssue>();
  readonly comments: FakeComment[] = [];
  readonly labels: FakeLabel[] = [];
  readonly calls: RecordedCall[] = [];
  private readonly faults: Fault[] = [];
  private nextId = 1;

  constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: Required<Pick<FakeGiteaOptions, 'maxPageSize' | 'login'>> & FakeGiteaOptions,
  ) {}

  addIssue(spec: NewIssue): FakeIssue {
    const repoKey = repoKeyOf(spec.owner, spec.repo);
    const taken = [...this.issues.values()].filter((i) => repoKeyOf(i.owner, i.repo) === repoKey);
    const number = spec.number ?? taken.reduce((max, i) => Math.max(max, i.number), 0) + 1;
    const issue: FakeIssue = {
      id: this.nextId++,
      owner: spec.owner,
      repo: spec.repo,
      number,
      title: spec.title ?? `Issue ${number}`,
      body: spec.body ?? '',
      state: spec.state ?? 'open',
      assignees: spec.assignees ?? [],
      labelIds: (spec.labels ?? []).map((name) => this.labelByName(repoKey, name, true)!.id),
      author: spec.author ?? 'reporter',
      dependsOn: [],
    };
    this.issues.set(keyOf(issue), issue);
    return issue;
  }

  issue(ref: IssueRefLike): FakeIssue | undefined {
    return this.issues.get(keyOf(ref));
  }

  /** `blocked` depends on `blocker` (Gitea: blocker appears in blocked's /dependencies, blocked in blocker's /blocks). */
  addDependency(blocked: IssueRefLike, blocker: IssueRefLike): void {
    this.mustIssue(blocked).dependsOn.push(keyOf(blocker));
  }

  setState(ref: IssueRefLike, state: 'open' | 'closed'): void {
    this.mustIssue(ref).state = state;
  }

  /** Adds a comment as if `author` wrote it in the web UI (no API call recorded). */
  addComment(ref: IssueRefLike, body: string, author: string): FakeComment {
    const now = new Date().toISOString();
    const comment = {
      id: this.nextId++,
      issueKey: keyOf(this.mustIssue(ref)),
      body,
      author,
      createdAt: now,
      updatedAt: now,
    };
    this.comments.push(comment);
    return comment;
  }

  commentsOn(ref: IssueRefLike): FakeComment[] {
    return this.comments.filter((c) => c.issueKey === keyOf(ref));
  }

  labelNamesOn(ref: IssueRefLike): string[] {
    return this.mustIssue(ref).labelIds.map((id) => this.labels.find((l) => l.id === id)!.name);
  }

  /**
   * The next `count` requests (those matching `match`, when given) answer `status`, with Retry-After when given,
   * instead of being served.
   */
  failNext(count: number, fault: { status: number; retryAfterSeconds?: number }, match?: FaultMatch): void {
    for (let i = 0; i < count; i++) this.faults.push({ kind: 'status', ...fault, match });
  }

  /** The next `count` requests answer 302 to `location`. */
  redirectNext(count: number, location: string): void {
    for (let i = 0; i < count; i++) this.faults.push({ kind: 'redirect', location });
  }

  /** Gitea's api.Issue JSON for an issue. */
  issueJson(issue: FakeIssue): Record<string, unknown> {
    const repoUrl = `${this.url}/${issue.owner}/${issue.repo}`;
    return {
      id: issue.id,
      url: `${this.url}/api/v1/repos/${issue.owner}/${issue.repo}/issues/${issue.number}`,
      html_url: `${repoUrl}/issues/${issue.number}`,
      number: issue.number,
      user: userJson(issue.author),
      original_author: '',
      original_author_id: 0,
      title: issue.title,
      body: issue.body,
      ref: '',
      assets: [],
      labels: issue.labelIds.map((id) => this.labelJson(this.labels.find((l) => l.id === id)!)),
      milestone: null,
      assignee: issue.assignees[0] ? userJson(issue.assignees[0]) : null,
      assignees: issue.assignees.length > 0 ? issue.assignees.map(userJson) : null,
      state: issue.state,
      is_locked: false,
      comments: this.commentsOn(issue).length,
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
      closed_at: issue.state === 'closed' ? '2026-01-02T00:00:00Z' : null,
      due_date: null,
      pull_request: null,
      repository: { id: 1, name: issue.repo, owner: issue.owner, full_name: `${issue.owner}/${issue.repo}` },
      pin_order: 0,
    };
  }

  commentJson(comment: FakeComment): Record<string, unknown> {
    const issue = this.issues.get(comment.issueKey)!;
    return {
      id: comment.id,
      html_url: `${this.url}/${issue.owner}/${issue.repo}/issues/${issue.number}#issuecomment-${comment.id}`,
      pull_request_url: '',
      issue_url: `${this.url}/${issue.owner}/${issue.repo}/issues/${issue.number}`,
      user: userJson(comment.author),
      original_author: '',
      original_author_id: 0,
      body: comment.body,
      assets: [],
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
    };
  }

  /** Gitea's api.Repository JSON (the fields webhooks carry that matter here). */
  repositoryJson(owner: string, repo: string): Record<string, unknown> {
    return {
      id: 1,
      owner: userJson(owner),
      name: repo,
      full_name: `${owner}/${repo}`,
      description: '',
      empty: false,
      private: false,
      fork: false,
      html_url: `${this.url}/${owner}/${repo}`,
      clone_url: `${this.url}/${owner}/${repo}.git`,
      default_branch: 'main',
      has_issues: true,
    };
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private labelJson(label: FakeLabel): Record<string, unknown> {
    return {
      id: label.id,
      name: label.name,
      exclusive: false,
      is_archived: false,
      color: label.color,
      description: label.description,
      url: `${this.url}/api/v1/repos/${label.repoKey}/labels/${label.id}`,
    };
  }

  private labelByName(repoKey: string, name: string, create = false): FakeLabel | undefined {
    const found = this.labels.find((l) => l.repoKey === repoKey && l.name.toLowerCase() === name.toLowerCase());
    if (found || !create) return found;
    const label = { id: this.nextId++, repoKey, name, color: 'ededed', description: '' };
    this.labels.push(label);
    return label;
  }

  private mustIssue(ref: IssueRefLike): FakeIssue {
    const issue = this.issue(ref);
    if (!issue) throw new Error(`fake Gitea has no issue ${keyOf(ref)}`);
    return issue;
  }

  /** @internal */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = raw.length > 0 ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const call: RecordedCall = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...req.headers },
      body,
      status: 0,
    };
    this.calls.push(call);
    const send = (status: number, json?: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      res.writeHead(status, { ...(json === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers });
      res.end(json === undefined ? undefined : JSON.stringify(json));
    };

    const faultIndex = this.faults.findIndex(
      (f) => (!f.match?.method || f.match.method === call.method) && (!f.match?.path || f.match.path.test(call.path)),
    );
    const fault = faultIndex >= 0 ? this.faults.splice(faultIndex, 1)[0] : undefined;
    if (fault?.kind === 'redirect') return send(302, undefined, { Location: fault.location });
    if (fault?.kind === 'status') {
      const headers: Record<string, string> =
        fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) };
      return send(fault.status, { message: 'injected fault', url: this.url }, headers);
    }
    if (this.options.token !== undefined && req.headers.authorization !== `token ${this.options.token}`) {
      return send(401, { message: 'token is required', url: this.url });
    }
    const result = this.route(call.method, url, body);
    return send(result.status, result.json, result.headers);
  }

  private route(
    method: string,
    url: URL,
    body: unknown,
  ): { status: number; json?: unknown; headers?: Record<string, string> } {
    const notFound = { status: 404, json: { message: "The target couldn't be found.", errors: [], url: this.url } };
    if (url.pathname === '/api/v1/user' && method === 'GET') return { status: 200, json: userJson(this.options.login) };
    const m = /^\/api\/v1\/repos\/([^/]+)\/([^/]+)\/(.*)$/.exec(url.pathname);
    if (!m) return notFound;
    const owner = decodeURIComponent(m[1]!);
    const repo = decodeURIComponent(m[2]!);
    const rest = m[3]!;
    const repoKey = repoKeyOf(owner, repo);
    const inRepo = [...this.issues.values()].filter((i) => repoKeyOf(i.owner, i.repo) === repoKey);
    const page = (items: unknown[]) => {
      const limit = Math.min(
        Number(url.searchParams.get('limit') ?? this.options.maxPageSize),
        this.options.maxPageSize,
      );
      const pageNo = Math.max(1, Number(url.searchParams.get('page') ?? 1));
      return {
        status: 200,
        json: items.slice((pageNo - 1) * limit, pageNo * limit),
        headers: { 'X-Total-Count': String(items.length) },
      };
    };
    const text = (value: unknown, field: string) =>
      typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)[field] === 'string'
        ? ((value as Record<string, unknown>)[field] as string)
        : undefined;

    if (rest === 'issues' && method === 'GET') {
      const state = url.searchParams.get('state') ?? 'open';
      const assignedBy = url.searchParams.get('assigned_by');
      const matching = inRepo
        .filter((i) => state === 'all' || i.state === state)
        .filter((i) => !assignedBy || i.assignees.includes(assignedBy))
        .sort((a, b) => b.number - a.number);
      return page(matching.map((i) => this.issueJson(i)));
    }
    if (rest === 'labels') {
      if (method === 'GET') return page(this.labels.filter((l) => l.repoKey === repoKey).map((l) => this.labelJson(l)));
      if (method === 'POST') {
        const name = text(body, 'name');
        if (!name) return { status: 422, json: { message: 'name is required' } };
        if (this.labelByName(repoKey, name)) return { status: 409, json: { message: 'label already exists' } };
        const label = this.labelByName(repoKey, name, true)!;
        label.color = (text(body, 'color') ?? 'ededed').replace(/^#/, '');
        label.description = text(body, 'description') ?? '';
        return { status: 201, json: this.labelJson(label) };
      }
    }
    const commentEdit = /^issues\/comments\/(\d+)$/.exec(rest);
    if (commentEdit && method === 'PATCH') {
      const comment = this.comments.find(
        (c) => c.id === Number(commentEdit[1]) && c.issueKey.startsWith(`${repoKey}#`),
      );
      const newBody = text(body, 'body');
      if (!comment) return notFound;
      if (newBody === undefined) return { status: 422, json: { message: 'body is required' } };
      comment.body = newBody;
      comment.updatedAt = new Date().toISOString();
      return { status: 200, json: this.commentJson(comment) };
    }
    const issueRoute = /^issues\/(\d+)(?:\/(comments|dependencies|blocks|labels)(?:\/(\d+))?)?$/.exec(rest);
    if (!issueRoute) return notFound;
    const issue = this.issue({ owner, repo, number: Number(issueRoute[1]) });
    if (!issue) return notFound;
    const sub = issueRoute[2];
    if (!sub && method === 'GET') return { status: 200, json: this.issueJson(issue) };
    if (sub === 'dependencies' && method === 'GET') {
      return page(
        issue.dependsOn
          .map((key) => this.issues.get(key))
          .filter((i) => !!i)
          .map((i) => this.issueJson(i!)),
      );
    }
    if (sub === 'blocks' && method === 'GET') {
      const blocked = [...this.issues.values()].filter((i) => i.dependsOn.includes(keyOf(issue)));
      return page(blocked.map((i) => this.issueJson(i)));
    }
    if (sub === 'comments' && method === 'GET') {
      return { status: 200, json: this.commentsOn(issue).map((c) => this.commentJson(c)) };
    }
    if (sub === 'comments' && method === 'POST') {
      const commentBody = text(body, 'body');
      if (commentBody === undefined) return { status: 422, json: { message: 'body is required' } };
      return { status: 201, json: this.commentJson(this.addComment(issue, commentBody, this.options.login)) };
    }
    if (sub === 'labels' && method === 'POST' && !issueRoute[3]) {
      const wanted = (body as { labels?: unknown } | undefined)?.labels;
      if (!Array.isArray(wanted)) return { status: 422, json: { message: 'labels is required' } };
      for (const item of wanted) {
        const label =
          typeof item === 'number'
            ? this.labels.find((l) => l.id === item && l.repoKey === repoKey)
            : this.labelByName(repoKey, String(item));
        if (!label) return { status: 422, json: { message: `label ${String(item)} does not exist` } };
        if (!issue.labelIds.includes(label.id)) issue.labelIds.push(label.id);
      }
      return { status: 200, json: issue.labelIds.map((id) => this.labelJson(this.labels.find((l) => l.id === id)!)) };
    }
    if (sub === 'labels' && method === 'DELETE' && issueRoute[3]) {
      const id = Number(issueRoute[3]);
      if (!issue.labelIds.includes(id)) return notFound;
      issue.labelIds = issue.labelIds.filter((existing) => existing !== id);
      return { status: 204 };
    }
    return { status: 405, json: { message: 'method not allowed' } };
  }
}

export async function startFakeGitea(options: FakeGiteaOptions = {}): Promise<FakeGitea> {
  const holder: { fake?: FakeGitea } = {};
  const server = createServer((req, res) => {
    holder.fake!.handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  holder.fake = new FakeGitea(server, `http://127.0.0.1:${port}`, {
    maxPageSize: 50,
    login: 'coordinator',
    ...options,
  });
  return holder.fake;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// ---- webhooks, as services/webhook/deliver.go sends them ----

export type IssueAction =
  | 'opened'
  | 'edited'
  | 'closed'
  | 'reopened'
  | 'assigned'
  | 'unassigned'
  | 'label_updated'
  | 'label_cleared'
  | 'milestoned'
  | 'demilestoned';

/** X-Gitea-Event-Type for an `issues` action (HookEventType in modules/webhook). */
export function issueEventType(action: IssueAction): string {
  if (action === 'assigned' || action === 'unassigned') return 'issue_assign';
  if (action === 'label_updated' || action === 'label_cleared') return 'issue_label';
  if (action === 'milestoned' || action === 'demilestoned') return 'issue_milestone';
  return 'issues';
}

/** structs.IssuePayload for an issue as the fake currently holds it (the state after the change). */
export function issuePayload(action: IssueAction, issue: FakeIssue, gitea: FakeGitea, sender = 'reporter') {
  return {
    action,
    number: issue.number,
    issue: gitea.issueJson(issue),
    repository: gitea.repositoryJson(issue.owner, issue.repo),
    sender: userJson(sender),
    commit_id: '',
  };
}

/** structs.IssueCommentPayload. */
export function issueCommentPayload(
  action: 'created' | 'edited' | 'deleted',
  issue: FakeIssue,
  comment: FakeComment,
  gitea: FakeGitea,
) {
  return {
    action,
    issue: gitea.issueJson(issue),
    comment: gitea.commentJson(comment),
    repository: gitea.repositoryJson(issue.owner, issue.repo),
    sender: userJson(comment.author),
    is_pull: false,
  };
}

export interface WebhookDelivery {
  /** `issues` or `issue_comment` (X-Gitea-Event). */
  event: 'issues' | 'issue_comment';
  /** X-Gitea-Event-Type; default derived from the payload's action. */
  eventType?: string;
  payload: { action: string } & Record<string, unknown>;
  /** Undefined: no secret: X-Gitea-Signature is empty and X-Hub-Signature-256 is `sha256=`, as Gitea sends them. */
  secret?: string;
  deliveryId?: string;
  /** Bytes sent instead of the payload, still signed over the payload: a tampered delivery. */
  tamperedBody?: string;
}

export interface WebhookResult {
  status: number;
  body: string;
  deliveryId: string;
  rawBody: string;
}

/** POSTs one webhook exactly as Gitea does: indented JSON body, HMAC-SHA256 hex of the raw bytes in two headers. */
export async function sendGiteaWebhook(receiverUrl: string, delivery: WebhookDelivery): Promise<WebhookResult> {
  // Gitea's JSONPayload: two-space indented JSON, signed over exactly these bytes.
  const signedBody = JSON.stringify(delivery.payload, null, 2);
  const rawBody = delivery.tamperedBody ?? signedBody;
  const deliveryId = delivery.deliveryId ?? randomUUID();
  const signature = delivery.secret ? createHmac('sha256', delivery.secret).update(signedBody).digest('hex') : '';
  const eventType =
    delivery.eventType ??
    (delivery.event === 'issues' ? issueEventType(delivery.payload.action as IssueAction) : 'issue_comment');
  const response = await fetch(receiverUrl, {
    method: 'POST',
    redirect: 'manual',
    signal: AbortSignal.timeout(5_000),
    headers: {
      'Content-Type': 'application/json',
      'X-Gitea-Delivery': deliveryId,
      'X-Gitea-Event': delivery.event,
      'X-Gitea-Event-Type': eventType,
      'X-Gitea-Signature': signature,
      'X-Gogs-Delivery': deliveryId,
      'X-Gogs-Event': delivery.event,
      'X-Gogs-Event-Type': eventType,
      'X-Gogs-Signature': signature,
      'X-Hub-Signature-256': `sha256=${signature}`,
      'X-GitHub-Delivery': deliveryId,
      'X-GitHub-Event': delivery.event,
      'X-GitHub-Event-Type': eventType,
    },
    body: rawBody,
  });
  return { status: response.status, body: await response.text(), deliveryId, rawBody };
}
