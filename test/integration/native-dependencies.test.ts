import { createNativeDependencyFetcher } from '../../src/activities/native-dependencies';
import { createParseActivities } from '../../src/activities/parse-issue';
import type { IssueSnapshot } from '../../src/domain/types';
import { createGiteaClient } from '../../src/gitea/client';
import { createLogger } from '../../src/logger';
import { startFakeGitea, type FakeGitea } from '../fakes/gitea-server';

const TOKEN = 'gitea-test-token';
let gitea: FakeGitea;
beforeEach(async () => {
  gitea = await startFakeGitea({ token: TOKEN });
});
afterEach(async () => gitea.close());

function snapshot(owner: string, repo: string, number: number, body = ''): IssueSnapshot {
  return {
    key: `${owner}/${repo}#${number}`,
    owner,
    repo,
    number,
    title: 't',
    body,
    labels: [],
    state: 'open',
    assignees: [],
  };
}

const fetcher = () =>
  createNativeDependencyFetcher(createGiteaClient({ baseUrl: gitea.url, token: TOKEN, retries: 1, backoffMs: 5 }));

describe("Gitea's native dependencies", () => {
  it('reads /dependencies and /blocks, across repositories, and parseIssue merges them with the text', async () => {
    const issue = gitea.addIssue({ owner: 'acme', repo: 'widgets', title: 'Export', body: 'Blocked by #1' });
    const sameRepo = gitea.addIssue({ owner: 'acme', repo: 'widgets', title: 'Schema' });
    const otherRepo = gitea.addIssue({ owner: 'Acme', repo: 'Lib', title: 'API' });
    const waiting = gitea.addIssue({ owner: 'acme', repo: 'web', title: 'UI' });
    gitea.addDependency(issue, sameRepo);
    gitea.addDependency(issue, otherRepo);
    gitea.addDependency(waiting, issue);

    const native = await fetcher()(snapshot('acme', 'widgets', issue.number));
    expect(native).toEqual({
      blockedBy: [`acme/widgets#${sameRepo.number}`, `acme/lib#${otherRepo.number}`],
      blocks: [`acme/web#${waiting.number}`],
    });

    const parse = createParseActivities({
      anthropic: { apiKey: undefined, model: 'm' },
      agents: [],
      budgetFraction: 0.6,
      log: createLogger('silent'),
      fetchNativeDependencies: fetcher(),
    });
    const metadata = await parse.parseIssue({ issue: snapshot('acme', 'widgets', issue.number, 'Blocked by #9') });
    expect(metadata.blockedBy).toEqual([
      'acme/widgets#9',
      `acme/widgets#${sameRepo.number}`,
      `acme/lib#${otherRepo.number}`,
    ]);
    expect(metadata.blocks).toEqual([`acme/web#${waiting.number}`]);
  });

  it('treats 404 (dependencies turned off for the repository) as none', async () => {
    const issue = gitea.addIssue({ owner: 'acme', repo: 'widgets' });
    gitea.addDependency(issue, gitea.addIssue({ owner: 'acme', repo: 'widgets' }));
    gitea.addDependency(gitea.addIssue({ owner: 'acme', repo: 'widgets' }), issue);
    gitea.failNext(2, { status: 404 }, { path: /\/(dependencies|blocks)$/ });
    await expect(fetcher()(snapshot('acme', 'widgets', issue.number))).resolves.toEqual({ blockedBy: [], blocks: [] });
  });

  it('throws any other failure, so that the activity is retried rather than missing a blocker', async () => {
    const issue = gitea.addIssue({ owner: 'acme', repo: 'widgets' });
    gitea.failNext(10, { status: 502 }, { path: /\/dependencies$/ });
    await expect(fetcher()(snapshot('acme', 'widgets', issue.number))).rejects.toMatchObject({ status: 502 });
  });
});
