import { redact } from './redact';
import type { GateResult, IssueKey, VerificationResult } from './types';
import { lineRanges } from './line-ranges';

export interface ContinuationPromptInput {
  issueKey: IssueKey;
  title: string;
  verification: VerificationResult;
  round: number;
  maxRounds: number;
}

/** Hard cap on the prompt, whatever the gates reported. */
export const MAX_PROMPT_CHARS = 12_000;
const MAX_FINDINGS_PER_GATE = 20;
const MAX_TAIL_CHARS = 1_500;

const REMEDIATION: Record<GateResult['gate'], string[]> = {
  build: [
    'Fix every type/build error at the file:line listed; fix the code, not the types.',
    'Do not silence errors with `any`, `@ts-ignore`, `@ts-expect-error`, `# type: ignore` or casts.',
  ],
  lint: [
    'Fix each violation in the code at the listed location.',
    'Do not disable rules, add `eslint-disable` / `noqa` comments, or edit the lint configuration.',
  ],
  test: [
    'Make each failing test pass by fixing the implementation; the assertion message says what is wrong.',
    'Change a test only where it contradicts the issue, and say so explicitly.',
  ],
  coverage: [
    'Write tests that execute the uncovered lines listed above, file by file, worst first.',
    'Do not lower the threshold, exclude files from coverage, or add tests without assertions.',
  ],
};

function gateSection(gate: GateResult): string[] {
  const command = gate.command.length ? ` (\`${gate.command.join(' ')}\`)` : '';
  const lines = [`## ${gate.gate}: ${gate.status.toUpperCase()}${command}`, `Result: ${gate.summary}`];
  if (gate.coverage) {
    lines.push(`Coverage: ${gate.coverage.percent}% of lines; required: ${gate.coverage.threshold}%.`);
    if (gate.coverage.gaps.length) lines.push('Coverage gaps (files below the threshold, uncovered lines):');
    for (const gap of gate.coverage.gaps) {
      const uncovered = gap.uncoveredLines.length ? `; uncovered lines ${lineRanges(gap.uncoveredLines)}` : '';
      lines.push(`- ${gap.file}: ${gap.percent}%${uncovered}`);
    }
  }
  if (gate.findings.length) lines.push('Key errors:');
  for (const finding of gate.findings.slice(0, MAX_FINDINGS_PER_GATE)) {
    const where = finding.file
      ? `${finding.file}${finding.line ? `:${finding.line}${finding.column ? `:${finding.column}` : ''}` : ''}: `
      : '';
    lines.push(`- ${where}${finding.message}${finding.rule ? ` [${finding.rule}]` : ''}`);
  }
  if (gate.findings.length > MAX_FINDINGS_PER_GATE)
    lines.push(`- … and ${gate.findings.length - MAX_FINDINGS_PER_GATE} more; run the command to see them all.`);
  lines.push('What to do:');
  if (gate.status === 'timeout')
    lines.push(
      '- The command was killed at its time limit. Find what hangs (a test that never settles, an open handle, ' +
        'an endless loop, a prompt waiting for input) and fix it.',
    );
  else if (gate.status === 'error')
    lines.push(
      '- The gate could not run at all. Make the project runnable so that the command above starts and finishes.',
    );
  if (gate.status !== 'error') lines.push(...REMEDIATION[gate.gate].map((step) => `- ${step}`));
  if (!gate.findings.length && !gate.coverage?.gaps.length && gate.outputTail.trim())
    lines.push('Last output:', '```', gate.outputTail.slice(-MAX_TAIL_CHARS).trimEnd(), '```');
  return lines;
}

function capLines(lines: string[], maxChars: number): string {
  let text = '';
  for (const line of lines) {
    if (text.length + line.length + 1 > maxChars) return `${text}[… section cut to keep this prompt short]\n`;
    text += `${line}\n`;
  }
  return text;
}

/**
 * The forced-continuation prompt: what failed, the evidence, and what to do, in wording that leaves the agent no
 * room to declare victory. Pure and deterministic, so the workflow may render it itself; bounded to
 * `MAX_PROMPT_CHARS` and passed through `redact` as a last line of defence.
 */
export function renderContinuationPrompt(input: ContinuationPromptInput): string {
  const gates = input.verification.gates;
  const failed = gates.filter((gate) => gate.status !== 'passed');
  const passed = gates.filter((gate) => gate.status === 'passed').map((gate) => gate.gate);
  const left = Math.max(0, input.maxRounds - input.round);
  const header = [
    `Your completion claim for ${input.issueKey} ("${input.title.slice(0, 200)}") was REJECTED: ${failed.length} of ` +
      `${gates.length} quality gates did not pass (round ${input.round} of ${input.maxRounds}).`,
    'You are not done. The quality gates, not you, decide when this issue is done.',
    'Do not stop, do not ask for confirmation, and do not claim completion again until every gate below passes ' +
      'when you run its command yourself. Do not weaken, skip or delete tests, lint rules or thresholds.',
    left > 0
      ? `${left} more round${left === 1 ? '' : 's'} remain before this issue is escalated to a human.`
      : 'This was the last round: the issue will be escalated to a human with this report.',
    ...(passed.length ? [`Passing gates (keep them passing): ${passed.join(', ')}.`] : []),
    '',
  ];
  const footer = [
    'When you have fixed everything: run every command above again, confirm each exits with code 0 ' +
      '(and coverage meets the threshold), commit, and only then claim completion.',
  ];
  const fixed = header.join('\n') + '\n';
  const budget = MAX_PROMPT_CHARS - fixed.length - footer.join('\n').length - 2;
  const perGate = Math.floor(budget / Math.max(1, failed.length));
  const body = failed.map((gate) => capLines([...gateSection(gate), ''], perGate)).join('');
  return redact(`${fixed}${body}${footer.join('\n')}\n`).slice(0, MAX_PROMPT_CHARS);
}
