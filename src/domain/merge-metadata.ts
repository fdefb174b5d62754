/**
 * Combines what the issue states, what the model answered and what Gitea's native dependencies say into one
 * IssueMetadata. Pure. Explicit statements win over the model's judgement: a `difficulty/*` label or an
 * `Estimated context:` line was written by a person on purpose.
 */
import { extractIssueFacts, MAX_CRITERIA, mentionedIssueKeys, resolveReference, uniqueKeys } from './heuristic-parser';
import type { IssueKey } from './issue-key';
import type { ModelAnswer } from './metadata-schema';
import type { IssueMetadata, IssueSnapshot } from './types';

export interface NativeDependencies {
  blockedBy: IssueKey[];
  blocks: IssueKey[];
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

/**
 * Resolves the model's references against the issue's repository and keeps only issues the text actually
 * mentions: an injected instruction cannot make the model invent a blocker that would stall the issue.
 */
function mentionedReferences(references: string[], issue: IssueSnapshot, mentioned: Set<IssueKey>): IssueKey[] {
  return references
    .map((reference) => resolveReference(reference, issue))
    .filter((key): key is IssueKey => key !== undefined && mentioned.has(key));
}

export function metadataFromModel(issue: IssueSnapshot, answer: ModelAnswer, usage?: TokenUsage): IssueMetadata {
  const facts = extractIssueFacts(issue);
  const mentioned = mentionedIssueKeys([issue.title, issue.body, ...(issue.comments ?? [])].join('\n'), issue);
  const criteria = answer.acceptance_criteria.length > 0 ? answer.acceptance_criteria : facts.checklist;
  return {
    estimatedContextTokens: facts.statedContextTokens ?? answer.estimated_context_tokens,
    contextSource: facts.statedContextTokens === undefined ? 'model' : 'stated',
    difficulty: facts.difficulty ?? answer.difficulty,
    blockedBy: uniqueKeys([...facts.blockedBy, ...mentionedReferences(answer.blocked_by, issue, mentioned)], issue.key),
    blocks: uniqueKeys([...facts.blocks, ...mentionedReferences(answer.blocks, issue, mentioned)], issue.key),
    summary: answer.summary,
    acceptanceCriteria: criteria.slice(0, MAX_CRITERIA),
    parser: 'anthropic',
    ...(usage ? { usage } : {}),
  };
}

export function withNativeDependencies(
  metadata: IssueMetadata,
  native: NativeDependencies,
  self: IssueKey,
): IssueMetadata {
  return {
    ...metadata,
    blockedBy: uniqueKeys([...metadata.blockedBy, ...native.blockedBy], self),
    blocks: uniqueKeys([...metadata.blocks, ...native.blocks], self),
  };
}
