import type { StatusReport } from '../activities/contract';
import type { IssuePhase } from '../workflows/messages';
import { redact } from './redact';

/**
 * The coordinator's one status comment per issue, rendered from a StatusReport. Pure: the report activity finds
 * the comment by its leading marker and edits it in place, so the marker must stay the first line.
 */
export const STATUS_MARKER = '<!-- issue-coordinator:status -->';

export interface PhaseLabel {
  name: string;
  color: string;
  description: string;
}

const label = (name: string, color: string, description: string): PhaseLabel => ({
  name: `coordinator/${name}`,
  color,
  description,
});
const QUEUED = label('queued', '#c5def5', 'The coordinator is reading and assigning this issue');
const BLOCKED = label('blocked', '#fbca04', 'Waiting for blocking issues to close');
const WORKING = label('working', '#1d76db', 'An agent is working on this issue');
const VERIFYING = label('verifying', '#5319e7', 'Quality gates are running');
const PASSED = label('passed', '#0e8a16', 'Every quality gate passed');
const NEEDS_HUMAN = label('needs-human', '#d93f0b', 'The coordinator needs a human to step in');

/** The one coordinator label an issue carries in each phase; none once the run is over without a result. */
export const PHASE_LABELS: Record<IssuePhase, PhaseLabel | undefined> = {
  parsing: QUEUED,
  assigning: QUEUED,
  blocked: BLOCKED,
  working: WORKING,
  continuing: WORKING,
  verifying: VERIFYING,
  passed: PASSED,
  paused: NEEDS_HUMAN,
  escalated: NEEDS_HUMAN,
  closed: undefined,
  cancelled: undefined,
};

/** Every label the coordinator manages: when one is set, the others are removed. */
export const COORDINATOR_LABELS: PhaseLabel[] = [QUEUED, BLOCKED, WORKING, VERIFYING, PASSED, NEEDS_HUMAN];

const HEADLINES: Record<IssuePhase, string> = {
  parsing: '📥 Reading the issue',
  assigning: '🧭 Choosing an agent',
  blocked: '⏸️ Blocked by other issues',
  working: '🛠️ An agent is working on it',
  continuing: '🔁 Gates failed: the agent is fixing them',
  verifying: '🔎 Running the quality gates',
  passed: '✅ Done: every quality gate passed',
  paused: '✋ Paused: waiting for a human',
  escalated: '🆘 Escalated: a human must step in',
  closed: '🔒 Closed: the coordinator stopped working on this issue',
  cancelled: '🛑 Cancelled: the coordinator stopped working on this issue',
};

const GATE_ICONS: Record<string, string> = { passed: '✅', failed: '❌', error: '💥', timeout: '⏱️', skipped: '➖' };

export interface RenderOptions {
  /** Values that must never appear in the comment (tokens, keys); masked, as is anything shaped like a credential. */
  secrets?: string[];
}

export function renderStatusComment(report: StatusReport, options: RenderOptions = {}): string {
  const lines = [STATUS_MARKER, `### ${HEADLINES[report.phase]}`, ''];
  lines.push(`| | |`, `|---|---|`);
  lines.push(`| Phase | \`${report.phase}\` |`);
  if (report.agent) lines.push(`| Agent | \`${cell(report.agent)}\` |`);
  if (report.round > 0 || report.verification) {
    lines.push(`| Continuation round | ${report.round} of ${report.maxRounds} |`);
  }
  if (report.openBlockers.length > 0) {
    lines.push(`| Blocked by | ${report.openBlockers.map((key) => cell(key)).join(', ')} |`);
  }
  if (report.note) lines.push('', `> ${cell(oneLine(report.note, 500))}`);

  const verification = report.verification;
  if (verification) {
    const verdict = verification.passed ? 'passed' : 'failed';
    lines.push('', `**Quality gates, round ${verification.round}: ${verdict}**`, '');
    lines.push('| Gate | Result | Time | Summary |', '|---|---|---|---|');
    for (const gate of verification.gates) {
      const time = `${(gate.durationMs / 1000).toFixed(1)} s`;
      lines.push(
        `| ${gate.gate} | ${GATE_ICONS[gate.status] ?? ''} ${gate.status} | ${time} | ${cell(oneLine(gate.summary, 200))} |`,
      );
    }
  }
  lines.push('', `<sub>Updated by the issue coordinator. This comment is edited in place.</sub>`);
  return redact(lines.join('\n'), options.secrets ?? []);
}

/** True for a comment the coordinator wrote as its status comment. */
export function isStatusComment(body: string): boolean {
  return body.trimStart().startsWith(STATUS_MARKER);
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Table cells: no pipe breaks the row, no HTML comment can fake the marker, no mention pings anyone. */
function cell(text: string): string {
  return text
    .replace(/\|/g, '\\|')
    .replace(/<!--/g, '&lt;!--')
    .replace(/@(?=\w)/g, '@\u200b');
}
