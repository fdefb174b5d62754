import type { GateResult, IssueKey, VerificationResult } from './types';

export interface IssueDetailsInput {
  issueKey: IssueKey;
  title: string;
  phase: string;
  agent?: string;
  openBlockers: IssueKey[];
  round: number;
  maxRounds: number;
  note?: string;
  contextUsage?: { usedTokens: number; windowTokens: number };
  verification?: VerificationResult;
}

const cell = (text: string) =>
  text
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ')
    .slice(0, 200);

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function renderGateTable(gates: readonly GateResult[]): string[] {
  return [
    '| Gate | Status | Time | Summary |',
    '| --- | --- | --- | --- |',
    ...gates.map((gate) => `| ${gate.gate} | ${gate.status} | ${seconds(gate.durationMs)} | ${cell(gate.summary)} |`),
  ];
}

/** The Web UI's "current details" of an issue workflow: markdown, rebuilt from state on every change. Pure. */
export function renderIssueDetails(input: IssueDetailsInput): string {
  const lines = [
    `**${cell(input.issueKey)}**: ${cell(input.title)}`,
    '',
    `- Phase: **${input.phase}**`,
    `- Agent: ${input.agent ?? 'none yet'}`,
    `- Blockers: ${input.openBlockers.length > 0 ? input.openBlockers.join(', ') : 'none'}`,
    `- Round: ${input.round} of ${input.maxRounds}`,
  ];
  if (input.contextUsage) {
    const { usedTokens, windowTokens } = input.contextUsage;
    const percent = windowTokens > 0 ? Math.round((100 * usedTokens) / windowTokens) : 0;
    lines.push(`- Agent context: ${usedTokens} of ${windowTokens} tokens (${percent}%)`);
  }
  if (input.note) lines.push(`- Note: ${cell(input.note)}`);
  const verification = input.verification;
  if (verification) {
    lines.push(
      '',
      `### Gates, round ${verification.round}: ${verification.passed ? 'passed' : 'failed'}`,
      '',
      ...renderGateTable(verification.gates),
    );
  }
  return lines.join('\n');
}
