/**
 * The deterministic issue parser: answers when no model is configured or the model's answer cannot be used.
 * Pure: reads an IssueSnapshot, returns IssueMetadata. Issue text is untrusted; it is only matched, never run.
 */
import { clampContextTokens, estimateContextTokens, MAX_CONTEXT_TOKENS } from './context-estimate';
import { formatIssueKey, isIssueKey, resolveIssueReference, type IssueKey } from './issue-key';
import { DIFFICULTIES, type Difficulty, type IssueMetadata, type IssueSnapshot } from './types';

export const MAX_REFERENCES = 50;
export const MAX_CRITERIA = 20;
export const MAX_CRITERION_LENGTH = 300;
export const MAX_SUMMARY_LENGTH = 500;

const NAME = '[A-Za-z0-9_.-]{1,100}';
/** `#41`, `repo#41`, `owner/repo#41`, or an issue URL `https://host/owner/repo/issues/41`. */
const REFERENCE = `(?:https?://[^\\s/]+(?:/[^\\s/]+)*?/${NAME}/${NAME}/issues/[1-9][0-9]{0,9}|(?:${NAME}/)?(?:${NAME})?#[1-9][0-9]{0,9})`;
// Each separator alternative can match a whitespace run in only one way: an ambiguous one (`\\s*(\\s)\\s*`) made
// a long run of spaces after `Blocked by #1` take seconds.
const SEPARATOR = '(?:\\s*[,;&]\\s*|\\s+and\\s+|\\s+)';
const REFERENCE_LIST = `${REFERENCE}(?:${SEPARATOR}${REFERENCE})*`;
const BLOCKED_BY = new RegExp(
  `\\b(?:blocked\\s+by|depends\\s+on|depends\\s+upon)\\b[\\s:*_]*(${REFERENCE_LIST})`,
  'gi',
);
const BLOCKS = new RegExp(`\\b(?:blocks|blocking)\\b[\\s:*_]*(${REFERENCE_LIST})`, 'gi');
const ANY_REFERENCE = new RegExp(REFERENCE, 'gi');
const URL_REFERENCE = new RegExp(`/(${NAME})/(${NAME})/issues/([1-9][0-9]{0,9})$`);

// Only [ \t] and no two adjacent optional runs of it: these patterns run over untrusted text and must not backtrack.
const STATED_CONTEXT =
  /\b(?:estimated[ \t]+)?context(?:[ \t]+(?:estimate|size|budget))?[ \t]*(?:[:=][ \t]*)?(?:~[ \t]*)?([0-9][0-9,_]*(?:\.[0-9]+)?)[ \t]*(?:([km])[ \t]*)?tokens?\b/i;
const CHECKLIST_ITEM = /^\s*(?:[-*+]|\d+[.)])\s+\[([ xX])\]\s+(\S.*)$/;
const BULLET = /^\s*(?:[-*+]|\d+[.)])\s+(\S.*)$/;
const HEADING = /^\s{0,3}#{1,6}\s+(.*)$/;
const FILE_EXTENSIONS =
  'ts|tsx|js|jsx|mjs|cjs|json|md|ya?ml|toml|go|py|rs|java|kt|rb|php|c|h|cc|cpp|hpp|cs|swift|sql|sh|css|scss|html|vue|svelte|proto';
const FILE_PATH = new RegExp(
  `(?:^|[\\s\`'"(\\[])((?:[\\w@.-]+/)*[\\w@-][\\w@.-]*\\.(?:${FILE_EXTENSIONS}))(?=$|[\\s\`'"),:;\\]]|\\.(?:\\s|$))`,
  'gm',
);
const DIFFICULTY_LABEL = /^(?:difficulty|complexity|level)\s*(?:\/|:{1,2}|=|-)\s*([a-z]+)$/i;
const DIFFICULTY_LINE = /^[ \t]*(?:\*\*)?difficulty(?:\*\*)?[ \t]*:[ \t]*(?:\*\*[ \t]*)?([a-z]+)/im;
const DIFFICULTY_SYNONYMS: Record<string, Difficulty> = {
  trivial: 'trivial',
  easy: 'easy',
  simple: 'easy',
  medium: 'medium',
  moderate: 'medium',
  normal: 'medium',
  hard: 'hard',
  difficult: 'hard',
  expert: 'expert',
  'very-hard': 'expert',
};

export interface IssueTextFacts {
  blockedBy: IssueKey[];
  blocks: IssueKey[];
  statedContextTokens?: number;
  difficulty?: Difficulty;
  checklist: string[];
  referencedFiles: string[];
}

export function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

function removeHtmlComments(text: string): string {
  let kept = '';
  let from = 0;
  for (;;) {
    const start = text.indexOf('<!--', from);
    if (start < 0) return kept + text.slice(from);
    kept += text.slice(from, start);
    const end = text.indexOf('-->', start + 4);
    if (end < 0) return kept;
    from = end + 3;
  }
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;

/**
 * Fenced code and HTML comments (issue templates) hold examples, not statements about this issue. A line scanner,
 * not one regex: issue text is untrusted and a backtracking pattern over it can take seconds.
 */
export function stripNonProse(text: string): string {
  const kept: string[] = [];
  let fence: string | undefined;
  for (const line of removeHtmlComments(normalizeNewlines(text)).split('\n')) {
    if (fence) {
      const close = FENCE_CLOSE.exec(line)?.[1];
      if (close && close[0] === fence[0] && close.length >= fence.length) fence = undefined;
      continue;
    }
    fence = FENCE_OPEN.exec(line)?.[1];
    if (!fence) kept.push(line);
  }
  return kept.join('\n');
}

export function resolveReference(reference: string, context: { owner: string; repo: string }): IssueKey | undefined {
  const url = URL_REFERENCE.exec(reference);
  if (url) {
    const key = formatIssueKey({ owner: url[1]!, repo: url[2]!, number: Number(url[3]) });
    return isIssueKey(key) ? key : undefined;
  }
  return resolveIssueReference(reference, context);
}

function collectRelation(pattern: RegExp, text: string, issue: IssueSnapshot): IssueKey[] {
  const keys: IssueKey[] = [];
  for (const match of text.matchAll(pattern)) {
    for (const reference of match[1]!.match(ANY_REFERENCE) ?? []) {
      const key = resolveReference(reference, issue);
      if (key) keys.push(key);
    }
  }
  return keys;
}

/** Every issue the text mentions, in any reference form: the model may only name blockers from this set. */
export function mentionedIssueKeys(text: string, context: { owner: string; repo: string }): Set<IssueKey> {
  const keys = new Set<IssueKey>();
  for (const reference of normalizeNewlines(text).match(ANY_REFERENCE) ?? []) {
    const key = resolveReference(reference, context);
    if (key) keys.add(key);
  }
  return keys;
}

export function uniqueKeys(keys: Iterable<IssueKey>, self: IssueKey): IssueKey[] {
  return [...new Set(keys)].filter((key) => key !== self).slice(0, MAX_REFERENCES);
}

export function parseStatedContext(text: string): number | undefined {
  const match = STATED_CONTEXT.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]!.replace(/[,_]/g, ''));
  const multiplier = match[2]?.toLowerCase() === 'm' ? 1_000_000 : match[2] ? 1_000 : 1;
  const tokens = value * multiplier;
  if (!Number.isFinite(tokens) || tokens <= 0) return undefined;
  return Math.min(MAX_CONTEXT_TOKENS, clampContextTokens(tokens));
}

export function difficultyFromLabels(labels: readonly string[]): Difficulty | undefined {
  for (const label of labels) {
    const match = DIFFICULTY_LABEL.exec(label.trim());
    const difficulty = match && DIFFICULTY_SYNONYMS[match[1]!.toLowerCase()];
    if (difficulty) return difficulty;
  }
  return undefined;
}

export function difficultyFromText(text: string): Difficulty | undefined {
  const match = DIFFICULTY_LINE.exec(text);
  return match ? DIFFICULTY_SYNONYMS[match[1]!.toLowerCase()] : undefined;
}

export function checklistItems(text: string): string[] {
  const items: string[] = [];
  for (const line of text.split('\n')) {
    const match = CHECKLIST_ITEM.exec(line);
    if (match) items.push(truncate(match[2]!, MAX_CRITERION_LENGTH));
  }
  return items;
}

/** Bullets under a heading that mentions acceptance criteria, for issues that list them without checkboxes. */
export function acceptanceSection(text: string): string[] {
  const items: string[] = [];
  let inSection = false;
  for (const line of text.split('\n')) {
    const heading = HEADING.exec(line);
    if (heading) {
      inSection = /acceptance|definition of done|done when/i.test(heading[1]!);
      continue;
    }
    const bullet = inSection && BULLET.exec(line);
    if (bullet) items.push(truncate(bullet[1]!, MAX_CRITERION_LENGTH));
  }
  return items;
}

export function referencedFiles(text: string): string[] {
  const files = new Set<string>();
  for (const match of text.matchAll(FILE_PATH)) {
    const path = match[1]!;
    if (!path.includes('://')) files.add(path);
  }
  return [...files];
}

export function truncate(text: string, max: number): string {
  const single = text.replace(/\s+/g, ' ').trim();
  return single.length <= max ? single : `${single.slice(0, max - 1)}…`;
}

/** The facts the text states explicitly; shared by the heuristic parser and the merge with the model's answer. */
export function extractIssueFacts(issue: IssueSnapshot): IssueTextFacts {
  const body = stripNonProse(issue.body ?? '');
  const related = [body, ...(issue.comments ?? []).map(stripNonProse)].join('\n');
  const checklist = checklistItems(body);
  return {
    blockedBy: uniqueKeys(collectRelation(BLOCKED_BY, related, issue), issue.key),
    blocks: uniqueKeys(collectRelation(BLOCKS, related, issue), issue.key),
    statedContextTokens: parseStatedContext(body),
    difficulty: difficultyFromLabels(issue.labels) ?? difficultyFromText(body),
    checklist,
    referencedFiles: referencedFiles(body),
  };
}

export function parseIssueHeuristically(issue: IssueSnapshot, fallbackReason?: string): IssueMetadata {
  const facts = extractIssueFacts(issue);
  const body = normalizeNewlines(issue.body ?? '');
  const criteria = facts.checklist.length > 0 ? facts.checklist : acceptanceSection(stripNonProse(body));
  const estimate =
    facts.statedContextTokens ??
    estimateContextTokens({
      characters: issue.title.length + body.length,
      checklistItems: facts.checklist.length,
      referencedFiles: facts.referencedFiles.length,
    });
  return {
    estimatedContextTokens: estimate,
    contextSource: facts.statedContextTokens === undefined ? 'estimated' : 'stated',
    difficulty: facts.difficulty ?? 'medium',
    blockedBy: facts.blockedBy,
    blocks: facts.blocks,
    summary: truncate(issue.title, MAX_SUMMARY_LENGTH),
    acceptanceCriteria: criteria.slice(0, MAX_CRITERIA),
    parser: 'heuristic',
    ...(fallbackReason ? { fallbackReason } : {}),
  };
}

export function isDifficulty(value: string): value is Difficulty {
  return (DIFFICULTIES as readonly string[]).includes(value);
}
