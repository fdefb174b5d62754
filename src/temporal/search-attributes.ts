import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes of DESIGN.md; imported by workflow code, so this file must stay deterministic. */
export const IssueKeyAttr = defineSearchAttributeKey('IssueKey', SearchAttributeType.KEYWORD);
export const IssueRepoAttr = defineSearchAttributeKey('IssueRepo', SearchAttributeType.KEYWORD);
export const IssuePhaseAttr = defineSearchAttributeKey('IssuePhase', SearchAttributeType.KEYWORD);
export const AssignedAgentAttr = defineSearchAttributeKey('AssignedAgent', SearchAttributeType.KEYWORD);
export const BlockedByAttr = defineSearchAttributeKey('BlockedBy', SearchAttributeType.KEYWORD_LIST);
export const ContinuationRoundAttr = defineSearchAttributeKey('ContinuationRound', SearchAttributeType.INT);

export const SEARCH_ATTRIBUTES = [
  IssueKeyAttr,
  IssueRepoAttr,
  IssuePhaseAttr,
  AssignedAgentAttr,
  BlockedByAttr,
  ContinuationRoundAttr,
] as const;

const CLI_TYPE_NAMES: Record<string, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
  [SearchAttributeType.INT]: 'Int',
};

/** `Name=Type` pairs as `temporal server start-dev --search-attribute` takes them. */
export function searchAttributeCliArgs(): string[] {
  return SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${CLI_TYPE_NAMES[key.type]}`]);
}
