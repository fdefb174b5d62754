import type { IssueKey, VerificationResult } from './types';

export interface ContinuationPromptInput {
  issueKey: IssueKey;
  title: string;
  verification: VerificationResult;
  round: number;
  maxRounds: number;
}

/**
 * The forced-continuation prompt: what failed, the evidence, and what to do, in wording that leaves the agent no
 * room to declare victory. Pure and deterministic, so the workflow may render it itself.
 */
export function renderContinuationPrompt(input: ContinuationPromptInput): string {
  const failed = input.verification.gates.filter((gate) => gate.status !== 'passed');
  const lines = [
    `Your completion claim for ${input.issueKey} ("${input.title}") was REJECTED: ${failed.length} of ` +
      `${input.verification.gates.length} quality gates did not pass (round ${input.round} of ${input.maxRounds}).`,
    'You are not done. Do not stop, do not ask for confirmation, and do not claim completion again until every gate ' +
      'below passes when you run it yourself. Do not weaken, skip or delete tests, lint rules or thresholds.',
    '',
  ];
  for (const gate of failed) {
    lines.push(`## ${gate.gate}: ${gate.status}`, gate.summary);
    for (const finding of gate.findings.slice(0, 20)) {
      const where = finding.file ? `${finding.file}${finding.line ? `:${finding.line}` : ''}: ` : '';
      lines.push(`- ${where}${finding.message}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
