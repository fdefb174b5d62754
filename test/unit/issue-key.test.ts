import { formatIssueKey, isIssueKey, parseIssueKey, resolveIssueReference } from '../../src/domain/issue-key';
import { resolveReference } from '../../src/domain/heuristic-parser';

describe('issue keys', () => {
  it('are canonical: lowercase owner and repo, no leading zeros', () => {
    expect(formatIssueKey({ owner: 'Acme', repo: 'Widgets', number: 42 })).toBe('acme/widgets#42');
    expect(isIssueKey('acme/widgets#42')).toBe(true);
    expect(isIssueKey('Acme/widgets#42')).toBe(false);
    expect(isIssueKey('acme/widgets#042')).toBe(false);
  });

  it('resolve short references relative to the repository they appear in', () => {
    const context = { owner: 'acme', repo: 'widgets' };
    expect(resolveIssueReference('#41', context)).toBe('acme/widgets#41');
    expect(resolveIssueReference('gadgets#3', context)).toBe('acme/gadgets#3');
    expect(resolveIssueReference('Other/Thing#3', context)).toBe('other/thing#3');
  });

  it('never name `.` or `..` as owner or repository, which would walk API and workspace paths', () => {
    const context = { owner: 'acme', repo: 'widgets' };
    expect(parseIssueKey('../widgets#3')).toBeUndefined();
    expect(parseIssueKey('acme/..#3')).toBeUndefined();
    expect(resolveIssueReference('..#3', context)).toBeUndefined();
    expect(resolveIssueReference('./.#3', context)).toBeUndefined();
    expect(resolveReference('https://gitea.example.com/../../issues/3', context)).toBeUndefined();
    // Dots inside a name are fine.
    expect(parseIssueKey('acme/widgets.js#3')).toEqual({ owner: 'acme', repo: 'widgets.js', number: 3 });
    expect(parseIssueKey('acme/...#3')).toEqual({ owner: 'acme', repo: '...', number: 3 });
  });
});
