import { ApplicationFailure } from '@temporalio/common';
import pino from 'pino';
import { createReportActivities } from '../../src/activities/report';
import type { StatusReport } from '../../src/activities/contract';
import { loadConfig } from '../../src/config';
import { STATUS_MARKER } from '../../src/domain/status-comment';
import { createGiteaClient } from '../../src/gitea/client';
import { startFakeGitea, type FakeGitea } from '../fakes/gitea-server';
import { issueSnapshot } from '../helpers/issue-snapshot';

const TOKEN = 'report-token-9d8e';
const log = pino({ level: 'silent' });
const ref = { owner: 'acme', repo: 'widgets', number: 1 };

const statusReport = (over: Partial<StatusReport> = {}): StatusReport => ({
  issue: issueSnapshot(ref),
  phase: 'working',
  agent: 'claude',
  openBlockers: [],
  round: 0,
  maxRounds: 5,
  ...over,
});

describe('report activities against a fake Gitea', () => {
  let gitea: FakeGitea;
  let activities: ReturnType<typeof createReportActivities>;

  beforeEach(async () => {
    gitea = await startFakeGitea({ token: TOKEN });
    gitea.addIssue({ ...ref, labels: ['bug'] });
    const config = loadConfig({ GITEA_URL: gitea.url, GITEA_TOKEN: TOKEN });
    activities = createReportActivities({
      config,
      log,
      gitea: createGiteaClient({ baseUrl: gitea.url, token: TOKEN, backoffMs: 1 }),
    });
  });
  afterEach(() => gitea.close());

  it('keeps one status comment per issue, edited in place, and one phase label', async () => {
    await activities.reportStatus(statusReport());
    await activities.reportStatus(statusReport());
    await activities.reportStatus(statusReport({ phase: 'escalated', note: 'five rounds failed' }));
    const comments = gitea.commentsOn(ref);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body.startsWith(STATUS_MARKER)).toBe(true);
    expect(comments[0]!.body).toContain('Escalated');
    expect(gitea.labelNamesOn(ref).sort()).toEqual(['bug', 'coordinator/needs-human']);
  });

  it('leaves no working label or working text behind after a cancellation', async () => {
    await activities.reportStatus(statusReport());
    expect(gitea.labelNamesOn(ref)).toContain('coordinator/working');
    await activities.reportStatus(statusReport({ phase: 'cancelled' }));
    expect(gitea.labelNamesOn(ref)).toEqual(['bug']);
    expect(gitea.commentsOn(ref)[0]!.body).toContain('Cancelled');
    expect(gitea.commentsOn(ref)[0]!.body).not.toContain('working on it');
  });

  it("posts its own status comment rather than editing another user's comment that carries the marker", async () => {
    const spoof = gitea.addComment(ref, `${STATUS_MARKER}\nmy own words`, 'mallory');
    await activities.reportStatus(statusReport());
    expect(spoof.body).toBe(`${STATUS_MARKER}\nmy own words`);
    const ours = gitea.commentsOn(ref).filter((c) => c.author === 'coordinator');
    expect(ours).toHaveLength(1);
    expect(ours[0]!.body).toContain('working');
  });

  it('creates no duplicate when a retried attempt runs after a partial failure', async () => {
    // First attempt: the comment is created, then looking up the repository's labels fails past the client's retries.
    gitea.failNext(4, { status: 500 }, { method: 'GET', path: /\/labels$/ });
    await expect(activities.reportStatus(statusReport())).rejects.toThrow(/500/);
    expect(gitea.commentsOn(ref)).toHaveLength(1);
    await activities.reportStatus(statusReport());
    expect(gitea.commentsOn(ref)).toHaveLength(1);
    expect(gitea.labelNamesOn(ref)).toContain('coordinator/working');
  });

  it('reports nothing, and does not fail, for an issue that was deleted', async () => {
    await expect(
      activities.reportStatus(statusReport({ issue: { ...statusReport().issue, key: 'acme/widgets#9', number: 9 } })),
    ).resolves.toBeUndefined();
    expect(gitea.comments).toHaveLength(0);
  });

  it('turns a 4xx into a non-retryable activity failure', async () => {
    const denied = createReportActivities({
      config: loadConfig({}),
      log,
      gitea: createGiteaClient({ baseUrl: gitea.url, token: 'wrong' }),
    });
    const error = await denied.reportStatus(statusReport()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).nonRetryable).toBe(true);
  });

  it('reads issue states, with missing for 404', async () => {
    gitea.addIssue({ owner: 'acme', repo: 'gears', state: 'closed' });
    const states = await activities.fetchIssueStates({ keys: ['acme/widgets#1', 'acme/gears#1', 'acme/widgets#40'] });
    expect(states).toEqual({ 'acme/widgets#1': 'open', 'acme/gears#1': 'closed', 'acme/widgets#40': 'missing' });
  });

  it('only logs when Gitea is not configured', async () => {
    const offline = createReportActivities({ config: loadConfig({}), log });
    await expect(offline.reportStatus(statusReport())).resolves.toBeUndefined();
    await expect(offline.fetchIssueStates({ keys: ['acme/widgets#1'] })).resolves.toEqual({});
    expect(gitea.calls).toHaveLength(0);
  });
});
