import { rememberKey } from '../../src/domain/bounded-keys';
import { renderIssueDetails } from '../../src/domain/issue-details';
import { renderTaskPrompt } from '../../src/domain/task-prompt';
import type { GateResult, IssueMetadata } from '../../src/domain/types';

const gate = (name: GateResult['gate'], status: GateResult['status'], summary: string): GateResult => ({
  gate: name,
  status,
  exitCode: status === 'passed' ? 0 : 1,
  durationMs: 2500,
  command: [],
  outputTail: '',
  summary,
  findings: [],
});

describe('renderIssueDetails', () => {
  it('shows phase, agent, blockers, round and the latest gate table, escaping table pipes', () => {
    const details = renderIssueDetails({
      issueKey: 'acme/widgets#4',
      title: 'Spin',
      phase: 'continuing',
      agent: 'claude-small',
      openBlockers: ['acme/widgets#1'],
      round: 2,
      maxRounds: 5,
      contextUsage: { usedTokens: 50_000, windowTokens: 200_000 },
      verification: {
        passed: false,
        round: 1,
        startedAt: '2026-01-01T00:00:00.000Z',
        durationMs: 3000,
        gates: [gate('build', 'passed', 'ok'), gate('lint', 'failed', 'a | b\nmore')],
      },
    });
    expect(details).toContain('- Phase: **continuing**');
    expect(details).toContain('- Agent: claude-small');
    expect(details).toContain('- Blockers: acme/widgets#1');
    expect(details).toContain('- Round: 2 of 5');
    expect(details).toContain('- Agent context: 50000 of 200000 tokens (25%)');
    expect(details).toContain('### Gates, round 1: failed');
    expect(details).toContain('| lint | failed | 2.5 s | a \\| b more |');
  });

  it('says so when there is no agent, no blocker and no verification yet', () => {
    const details = renderIssueDetails({
      issueKey: 'a/b#1',
      title: 't',
      phase: 'parsing',
      openBlockers: [],
      round: 1,
      maxRounds: 5,
    });
    expect(details).toContain('- Agent: none yet');
    expect(details).toContain('- Blockers: none');
    expect(details).not.toContain('### Gates');
  });
});

describe('rememberKey', () => {
  it('keeps the newest keys up to the limit, without duplicates', () => {
    let keys: string[] = [];
    for (const key of ['a', 'b', 'c', 'b', 'd']) keys = rememberKey(keys, key, 3);
    expect(keys).toEqual(['c', 'b', 'd']);
  });
});

describe('renderTaskPrompt', () => {
  it('carries the issue text, the acceptance criteria and the round bound', () => {
    const metadata: IssueMetadata = {
      estimatedContextTokens: 1,
      contextSource: 'estimated',
      difficulty: 'easy',
      blockedBy: [],
      blocks: [],
      summary: 'Make it spin',
      acceptanceCriteria: ['spins at 60 rpm'],
      parser: 'heuristic',
    };
    const prompt = renderTaskPrompt({
      issue: {
        key: 'a/b#1',
        owner: 'a',
        repo: 'b',
        number: 1,
        title: 'Spin',
        body: 'Please spin.',
        labels: [],
        state: 'open',
        assignees: [],
      },
      metadata,
      budgetTokens: 40_000,
      maxRounds: 3,
    });
    expect(prompt).toContain('Resolve issue a/b#1: Spin');
    expect(prompt).toContain('Please spin.');
    expect(prompt).toContain('- spins at 60 rpm');
    expect(prompt).toContain('about 40000 tokens');
    expect(prompt).toContain('at most 3 rounds');
  });
});
