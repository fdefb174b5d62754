import { Writable } from 'node:stream';
import pino from 'pino';
import { createGiteaClient, GiteaError, parseRetryAfter, type GiteaClient } from '../../src/gitea/client';
import { startFakeGitea, type FakeGitea } from '../fakes/gitea-server';

const TOKEN = 'secret-token-4f1c9a';
const widgets = { owner: 'acme', repo: 'widgets' };

describe('Gitea REST client against a fake Gitea over HTTP', () => {
  let gitea: FakeGitea;
  let client: GiteaClient;
  let logs: string[];
  const sleeps: number[] = [];

  beforeEach(async () => {
    gitea = await startFakeGitea({ token: TOKEN, maxPageSize: 3 });
    logs = [];
    sleeps.length = 0;
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(chunk.toString());
        done();
      },
    });
    client = createGiteaClient({
      baseUrl: gitea.url,
      token: TOKEN,
      log: pino({ level: 'debug' }, sink),
      backoffMs: 1,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
  });
  afterEach(() => gitea.close());

  it('reads an issue with token auth, and answers null for a missing one', async () => {
    gitea.addIssue({ ...widgets, title: 'Fix it', assignees: ['bot'], labels: ['bug'] });
    const issue = await client.getIssue({ ...widgets, number: 1 });
    expect(issue).toMatchObject({ number: 1, title: 'Fix it', state: 'open', assignees: [{ login: 'bot' }] });
    expect(issue?.labels?.map((l) => l.name)).toEqual(['bug']);
    expect(gitea.calls[0]!.headers.authorization).toBe(`token ${TOKEN}`);
    expect(await client.getIssue({ ...widgets, number: 99 })).toBeNull();
  });

  it('retries 500s with backoff and then succeeds', async () => {
    gitea.addIssue({ ...widgets });
    gitea.failNext(2, { status: 500 });
    expect((await client.getIssue({ ...widgets, number: 1 }))?.number).toBe(1);
    expect(gitea.calls.map((c) => c.status)).toEqual([500, 500, 200]);
    expect(sleeps).toHaveLength(2);
  });

  it('honours Retry-After on 429', async () => {
    gitea.addIssue({ ...widgets });
    gitea.failNext(1, { status: 429, retryAfterSeconds: 2 });
    await client.getIssue({ ...widgets, number: 1 });
    expect(sleeps).toEqual([2000]);
  });

  it('gives up after the retry budget with a retryable error', async () => {
    gitea.failNext(10, { status: 503 });
    const error = await client.getIssue({ ...widgets, number: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GiteaError);
    expect(error).toMatchObject({ status: 503, retryable: true });
    expect(gitea.calls).toHaveLength(4);
  });

  it('does not retry a 4xx and marks it non-retryable', async () => {
    const bad = createGiteaClient({ baseUrl: gitea.url, token: 'wrong', sleep: async () => {} });
    const error = await bad.getIssue({ ...widgets, number: 1 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'http', status: 401, retryable: false });
    expect(gitea.calls).toHaveLength(1);
  });

  it('refuses to follow a redirect, even to the same origin', async () => {
    gitea.redirectNext(1, `${gitea.url}/api/v1/repos/acme/widgets/issues/1`);
    const error = await client.getIssue({ ...widgets, number: 1 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'redirect', retryable: false });
    expect((error as Error).message).toMatch(/redirect/);
    expect(gitea.calls).toHaveLength(1);
  });

  it('never sends a request outside the configured API root', async () => {
    // `..` segments would climb out of /api/v1; the client refuses before sending anything.
    await expect(client.getIssue({ owner: '..', repo: '..', number: 1 })).rejects.toMatchObject({
      kind: 'origin',
      retryable: false,
    });
    await client.getIssue({ owner: '//evil.example', repo: 'x', number: 1 });
    expect(gitea.calls).toHaveLength(1);
    expect(gitea.calls[0]!.path).toBe('/api/v1/repos/%2F%2Fevil.example/x/issues/1');
    expect(() => createGiteaClient({ baseUrl: 'file:///etc/passwd', token: TOKEN })).toThrow(/http/);
  });

  it('pages through open issues past the server cap, filtered by assignee', async () => {
    for (let i = 0; i < 8; i++) gitea.addIssue({ ...widgets, assignees: i % 2 === 0 ? ['bot'] : [] });
    gitea.addIssue({ ...widgets, state: 'closed', assignees: ['bot'] });
    const all = await client.listOpenIssues('acme', 'widgets');
    expect(all.map((i) => i.number).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const mine = await client.listOpenIssues('acme', 'widgets', { assignedTo: 'bot' });
    expect(mine.map((i) => i.number).sort((a, b) => a - b)).toEqual([1, 3, 5, 7]);
  });

  it('reads native dependencies and blocks, across repositories', async () => {
    gitea.addIssue({ ...widgets });
    gitea.addIssue({ owner: 'acme', repo: 'gears' });
    gitea.addIssue({ ...widgets, number: 2 });
    gitea.addDependency({ ...widgets, number: 2 }, { owner: 'acme', repo: 'gears', number: 1 });
    gitea.addDependency({ ...widgets, number: 2 }, { ...widgets, number: 1 });
    const deps = await client.listDependencies({ ...widgets, number: 2 });
    expect(deps.map((d) => `${d.repository?.owner}/${d.repository?.name}#${d.number}`)).toEqual([
      'acme/gears#1',
      'acme/widgets#1',
    ]);
    expect((await client.listBlocks({ ...widgets, number: 1 })).map((i) => i.number)).toEqual([2]);
  });

  it('creates, lists and edits comments', async () => {
    gitea.addIssue({ ...widgets });
    const created = await client.createComment({ ...widgets, number: 1 }, 'hello');
    await client.editComment('acme', 'widgets', created.id, 'edited');
    const comments = await client.listComments({ ...widgets, number: 1 });
    expect(comments).toEqual([expect.objectContaining({ id: created.id, body: 'edited' })]);
    expect(gitea.commentsOn({ ...widgets, number: 1 })).toHaveLength(1);
  });

  it('does not retry a POST whose outcome is unknown, but does retry one the server refused with 5xx', async () => {
    gitea.addIssue({ ...widgets });
    gitea.failNext(1, { status: 502 });
    await client.createComment({ ...widgets, number: 1 }, 'once');
    expect(gitea.commentsOn({ ...widgets, number: 1 })).toHaveLength(1);
    const port = Number(new URL(gitea.url).port);
    await gitea.close();
    const offline = createGiteaClient({ baseUrl: `http://127.0.0.1:${port}`, token: TOKEN, sleep: async () => {} });
    await expect(offline.createComment({ ...widgets, number: 1 }, 'x')).rejects.toMatchObject({
      kind: 'network',
      retryable: true,
    });
    gitea = await startFakeGitea();
  });

  it('ensures labels by name (creating once) and adds/removes them by id', async () => {
    gitea.addIssue({ ...widgets });
    const ref = { ...widgets, number: 1 };
    const spec = { name: 'coordinator/working', color: '#1d76db' };
    await client.addLabels(ref, [spec]);
    await client.addLabels(ref, [spec]);
    expect(gitea.labels.filter((l) => l.name === 'coordinator/working')).toHaveLength(1);
    expect(gitea.labelNamesOn(ref)).toEqual(['coordinator/working']);
    const id = gitea.labels[0]!.id;
    await client.removeLabel(ref, id);
    await client.removeLabel(ref, id);
    expect(gitea.labelNamesOn(ref)).toEqual([]);
  });

  it('times out a hung request', async () => {
    const hung = createGiteaClient({
      baseUrl: gitea.url,
      token: TOKEN,
      timeoutMs: 50,
      retries: 0,
      fetch: (_url, init) =>
        new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason))),
    });
    await expect(hung.getIssue({ ...widgets, number: 1 })).rejects.toMatchObject({ kind: 'timeout', retryable: true });
  });

  it('rejects a response of the wrong shape as non-retryable', async () => {
    const odd = createGiteaClient({
      baseUrl: gitea.url,
      token: TOKEN,
      fetch: async () => new Response(JSON.stringify({ number: 'one' }), { status: 200 }),
    });
    await expect(odd.getIssue({ ...widgets, number: 1 })).rejects.toMatchObject({
      kind: 'invalid-response',
      retryable: false,
    });
  });

  it("knows the token's own user, asking Gitea once and again only after a failure", async () => {
    gitea.failNext(4, { status: 500 }, { path: /\/user$/ });
    await expect(client.currentUser()).rejects.toBeInstanceOf(GiteaError);
    expect(await client.currentUser()).toMatchObject({ login: 'coordinator' });
    expect(await client.currentUser()).toMatchObject({ login: 'coordinator' });
    expect(gitea.calls.filter((c) => c.path === '/api/v1/user').map((c) => c.status)).toEqual([
      500, 500, 500, 500, 200,
    ]);
  });

  it('never writes the token into logs or error messages', async () => {
    gitea.failNext(1, { status: 500 });
    gitea.addIssue({ ...widgets });
    await client.getIssue({ ...widgets, number: 1 });
    gitea.failNext(10, { status: 500 });
    const error = (await client.getIssue({ ...widgets, number: 1 }).catch((e: unknown) => e)) as Error;
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('\n')).not.toContain(TOKEN);
    expect(`${error.message}${error.stack}`).not.toContain(TOKEN);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:05 GMT', Date.parse('Wed, 21 Oct 2026 07:28:00 GMT'))).toBe(5000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
