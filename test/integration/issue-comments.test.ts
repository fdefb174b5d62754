import { createActivities } from '../../src/activities';
import { renderDispatchComment } from '../../src/agents/gitea-comment';
import { loadConfig } from '../../src/config';
import { parseCoordinatorFile } from '../../src/config-file';
import { commentsForParsing, MAX_PARSED_COMMENTS } from '../../src/domain/issue-comments';
import { renderStatusComment } from '../../src/domain/status-comment';
import type { IssueSnapshot } from '../../src/domain/types';
import { createLogger } from '../../src/logger';
import { startFakeGitea, type FakeGitea } from '../fakes/gitea-server';

const TOKEN = 'gitea-test-token';
let gitea: FakeGitea;
beforeEach(async () => {
  gitea = await startFakeGitea({ token: TOKEN });
});
afterEach(async () => gitea.close());

/** The parse activity as the worker wires it: heuristic parser, Gitea configured. */
const parseIssue = (issue: IssueSnapshot) =>
  createActivities({
    config: loadConfig({ GITEA_URL: gitea.url, GITEA_TOKEN: TOKEN }),
    file: parseCoordinatorFile({ agents: [] }),
    log: createLogger('silent'),
  }).parseIssue({ issue });

function snapshotOf(number: number, body: string): IssueSnapshot {
  const key = `acme/widgets#${number}`;
  return {
    key,
    owner: 'acme',
    repo: 'widgets',
    number,
    title: 'Export CSV',
    body,
    labels: [],
    state: 'open',
    assignees: [],
  };
}

describe('issue comments reach the parsers', () => {
  it('takes a "Blocked by" said in a comment as a blocker', async () => {
    const issue = gitea.addIssue({ owner: 'acme', repo: 'widgets', number: 40, body: 'Add a CSV export.' });
    gitea.addComment(issue, 'Turns out this needs the new schema.\n\nBlocked by #41', 'alice');

    const metadata = await parseIssue(snapshotOf(40, issue.body));
    expect(metadata.blockedBy).toEqual(['acme/widgets#41']);
  });

  it("ignores the coordinator's own status and dispatch comments, which quote blockers back", async () => {
    const issue = gitea.addIssue({ owner: 'acme', repo: 'widgets', number: 40, body: 'Add a CSV export.' });
    const snapshot = snapshotOf(40, issue.body);
    const status = renderStatusComment({
      issue: snapshot,
      phase: 'blocked',
      openBlockers: ['acme/widgets#7'],
      round: 0,
      maxRounds: 5,
      note: 'Blocked by #8',
    });
    const dispatch = renderDispatchComment(
      { issue: snapshot, agent: 'bot', prompt: 'Blocked by #9 (quoted from an old edit)', round: 0, dispatchId: 'd1' },
      'bot',
    );
    gitea.addComment(issue, status, 'coordinator');
    gitea.addComment(issue, dispatch, 'coordinator');
    gitea.addComment(issue, 'Depends on #12', 'alice');

    const metadata = await parseIssue(snapshot);
    expect(metadata.blockedBy).toEqual(['acme/widgets#12']);
  });

  it(`reads the latest ${MAX_PARSED_COMMENTS} comments people wrote, none of the coordinator's`, () => {
    const people = Array.from({ length: MAX_PARSED_COMMENTS + 5 }, (_, i) => `comment ${i}`);
    const snapshot = snapshotOf(40, '');
    const ours = [
      renderStatusComment({ issue: snapshot, phase: 'working', openBlockers: [], round: 0, maxRounds: 5 }),
      renderDispatchComment({ issue: snapshot, agent: 'bot', prompt: 'p', round: 0, dispatchId: 'd1' }, 'bot'),
    ];
    const bodies = [...people.slice(0, 23), ...ours, ...people.slice(23)];
    expect(commentsForParsing(bodies)).toEqual(people.slice(5));
  });
});
