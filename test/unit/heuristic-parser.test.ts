import { estimateContextTokens } from '../../src/domain/context-estimate';
import {
  mentionedIssueKeys,
  parseIssueHeuristically,
  parseStatedContext,
  referencedFiles,
} from '../../src/domain/heuristic-parser';
import type { IssueSnapshot } from '../../src/domain/types';

function issue(body: string, extra: Partial<IssueSnapshot> = {}): IssueSnapshot {
  return {
    key: 'acme/widgets#42',
    owner: 'acme',
    repo: 'widgets',
    number: 42,
    title: 'Add CSV export to the report page',
    body,
    labels: [],
    state: 'open',
    assignees: [],
    ...extra,
  };
}

const giteaBody = [
  '## Summary',
  'Users want to download the monthly report as CSV.',
  '',
  'Blocked by #41',
  'Depends on acme/other#3',
  'Blocks #44',
  '',
  'Estimated context: 45k tokens',
  '',
  '## Acceptance criteria',
  '- [ ] A "Download CSV" button on `src/reports/page.tsx`',
  '- [x] Export uses the same filters as the table',
  '* [ ] Columns are documented in docs/reports.md',
  '',
].join('\r\n');

describe('heuristic parser on realistic Gitea bodies', () => {
  it('reads relations, stated context and checklists from a CRLF body, resolving same-repo references', () => {
    const metadata = parseIssueHeuristically(issue(giteaBody, { labels: ['kind/feature', 'difficulty/hard'] }));
    expect(metadata).toEqual({
      estimatedContextTokens: 45_000,
      contextSource: 'stated',
      difficulty: 'hard',
      blockedBy: ['acme/widgets#41', 'acme/other#3'],
      blocks: ['acme/widgets#44'],
      summary: 'Add CSV export to the report page',
      acceptanceCriteria: [
        'A "Download CSV" button on `src/reports/page.tsx`',
        'Export uses the same filters as the table',
        'Columns are documented in docs/reports.md',
      ],
      parser: 'heuristic',
    });
  });

  it.each([
    ['Blocked by #41, #43 and widgets#7', ['acme/widgets#41', 'acme/widgets#43', 'acme/widgets#7'], []],
    ['**Depends on:** Acme/Other#3', ['acme/other#3'], []],
    ['depends upon #5; blocked by #6', ['acme/widgets#5', 'acme/widgets#6'], []],
    ['Blocked by https://gitea.example.com/acme/api/issues/12', ['acme/api#12'], []],
    ['- Blocks #44\n- Blocking other/repo#2', [], ['acme/widgets#44', 'other/repo#2']],
    ['Blocked by #42 (itself) and #41 and #41 again: blocked by #41', ['acme/widgets#41'], []],
    ['Mentions #41 without a relation word', [], []],
    ['```\nBlocked by #99\n```\n<!-- Blocks #98 -->', [], []],
    ['Blocked by #0 or #01x', [], []],
  ])('%j', (body, blockedBy, blocks) => {
    const metadata = parseIssueHeuristically(issue(body));
    expect(metadata.blockedBy).toEqual(blockedBy);
    expect(metadata.blocks).toEqual(blocks);
  });

  it('reads relations from comments too', () => {
    const metadata = parseIssueHeuristically(
      issue('No relations here.', { comments: ['Turns out this is blocked by #7.'] }),
    );
    expect(metadata.blockedBy).toEqual(['acme/widgets#7']);
  });

  it.each([
    ['Estimated context: 45k tokens', 45_000],
    ['Estimated context: 45000 tokens', 45_000],
    ['estimated context ~ 45,000 tokens', 45_000],
    ['Context estimate: 1.5M tokens', 1_000_000],
    ['Context: 120K tokens', 120_000],
    ['This change needs 45000 tokens of context', undefined],
    ['Estimated context: lots', undefined],
  ])('stated context %j → %p', (text, tokens) => {
    expect(parseStatedContext(text)).toBe(tokens);
  });

  it.each([
    [['difficulty/hard'], 'hard'],
    [['Difficulty: Easy'], 'easy'],
    [['difficulty::expert'], 'expert'],
    [['priority/high', 'difficulty/trivial'], 'trivial'],
    [['difficulty/unknown'], 'medium'],
    [['hard'], 'medium'],
  ])('labels %j → difficulty %s', (labels, difficulty) => {
    expect(parseIssueHeuristically(issue('', { labels })).difficulty).toBe(difficulty);
  });

  it('reads a Difficulty line in the body when no label says', () => {
    expect(parseIssueHeuristically(issue('**Difficulty:** hard\r\n')).difficulty).toBe('hard');
  });

  it('takes acceptance criteria from an acceptance section when there is no checklist, bounded in size', () => {
    const bullets = Array.from({ length: 30 }, (_, i) => `- criterion ${i} ${'x'.repeat(400)}`);
    const metadata = parseIssueHeuristically(
      issue(['## Acceptance criteria', ...bullets, '## Notes', '- not a criterion'].join('\n')),
    );
    expect(metadata.acceptanceCriteria).toHaveLength(20);
    expect(metadata.acceptanceCriteria[0]!.length).toBeLessThanOrEqual(300);
    expect(metadata.acceptanceCriteria.join()).not.toContain('not a criterion');
  });

  it('estimates context with the documented formula when the issue states none', () => {
    const body = '- [ ] change src/a.ts\n- [ ] change src/b.ts\n- [ ] test it in test/a.test.ts';
    const metadata = parseIssueHeuristically(issue(body));
    expect(metadata.contextSource).toBe('estimated');
    expect(metadata.estimatedContextTokens).toBe(
      estimateContextTokens({
        characters: 'Add CSV export to the report page'.length + body.length,
        checklistItems: 3,
        referencedFiles: 3,
      }),
    );
  });
});

describe('context estimation formula', () => {
  it.each([
    [{ characters: 0, checklistItems: 0, referencedFiles: 0 }, 20_000],
    [{ characters: 4_000, checklistItems: 0, referencedFiles: 0 }, 23_000],
    // 20,000 + 3 × 500 + 40,000 + 18,000 = 79,500, rounded up
    [{ characters: 2_000, checklistItems: 5, referencedFiles: 3 }, 80_000],
    [{ characters: 1, checklistItems: 0, referencedFiles: 0 }, 21_000],
    [{ characters: 400_000, checklistItems: 100, referencedFiles: 100 }, 1_000_000],
  ])('%j → %p tokens', (inputs, tokens) => {
    expect(estimateContextTokens(inputs)).toBe(tokens);
  });

  it('grows with every checklist item and every referenced file', () => {
    const base = { characters: 1_000, checklistItems: 2, referencedFiles: 2 };
    expect(estimateContextTokens({ ...base, checklistItems: 3 }) - estimateContextTokens(base)).toBe(8_000);
    expect(estimateContextTokens({ ...base, referencedFiles: 3 }) - estimateContextTokens(base)).toBe(6_000);
  });
});

describe('referenced files and mentions', () => {
  it('finds distinct file paths, not versions, URLs or sentence ends', () => {
    const text =
      'Edit `src/reports/page.tsx` and src/reports/page.tsx, see README.md. Bump to v1.2.3; https://x.io/a.js';
    expect(referencedFiles(text)).toEqual(['src/reports/page.tsx', 'README.md']);
  });

  it('collects every issue the text mentions, in any form', () => {
    const keys = mentionedIssueKeys('See #41, Other#2 and acme/api#9', { owner: 'acme', repo: 'widgets' });
    expect([...keys].sort()).toEqual(['acme/api#9', 'acme/other#2', 'acme/widgets#41']);
  });
});

describe('hostile bodies', () => {
  // Each of these took 5–20 s with backtracking patterns; a linear parser needs milliseconds.
  it.each([
    ['spaces after a reference', `Blocked by #1${' '.repeat(50_000)}x`],
    ['unclosed fences', '```a\n'.repeat(20_000)],
    ['blank lines', `${'\n'.repeat(50_000)}\`\`\``],
    ['unclosed comments', '<!--'.repeat(30_000)],
    ['spaces in a context line', `Estimated context${' '.repeat(50_000)}x`],
    ['spaces in a difficulty line', `Difficulty:${' '.repeat(50_000)}!`],
    ['trailing spaces in a checklist', `- [ ] x${' '.repeat(50_000)}y`],
  ])('parses %s in well under a second', (_name, body) => {
    const started = performance.now();
    parseIssueHeuristically(issue(body));
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('treats an unclosed fence as code to the end, as Markdown renders it', () => {
    expect(parseIssueHeuristically(issue('Blocked by #1\n```\nBlocked by #2\n')).blockedBy).toEqual(['acme/widgets#1']);
  });
});
