import type { IssueMetadata, IssueSnapshot } from './types';

export interface TaskPromptInput {
  issue: IssueSnapshot;
  metadata: IssueMetadata;
  budgetTokens?: number;
  maxRounds: number;
}

/** The round-1 prompt an agent receives: the issue itself and the rules of verification. Pure. */
export function renderTaskPrompt(input: TaskPromptInput): string {
  const { issue, metadata } = input;
  const lines = [`Resolve issue ${issue.key}: ${issue.title}`, ''];
  if (metadata.summary) lines.push(`Summary: ${metadata.summary}`, '');
  lines.push('Issue text:', issue.body.trim() || '(empty)', '');
  if (metadata.acceptanceCriteria.length > 0) {
    lines.push('Acceptance criteria:', ...metadata.acceptanceCriteria.map((criterion) => `- ${criterion}`), '');
  }
  if (input.budgetTokens) lines.push(`Context budget: about ${input.budgetTokens} tokens.`);
  lines.push(
    'When you claim completion, the coordinator runs the build, lint, test and coverage gates. A claim counts only ' +
      `when every gate passes; you have at most ${input.maxRounds} rounds before a human is called in.`,
  );
  return lines.join('\n');
}
