import type { StatusReport } from '../../src/activities/contract';
import {
  COORDINATOR_LABELS,
  isStatusComment,
  PHASE_LABELS,
  renderStatusComment,
  STATUS_MARKER,
} from '../../src/domain/status-comment';
import type { GateResult } from '../../src/domain/types';
import { ISSUE_PHASES } from '../../src/workflows/messages';
import { issueSnapshot } from '../helpers/issue-snapshot';

const gate = (over: Partial<GateResult>): GateResult => ({
  gate: 'lint',
  status: 'passed',
  exitCode: 0,
  durationMs: 1234,
  command: ['npm', 'run', 'lint'],
  outputTail: 'SECRET OUTPUT TAIL',
  summary: 'no problems',
  findings: [],
  ...over,
});

const report = (over: Partial<StatusReport> = {}): StatusReport => ({
  issue: issueSnapshot(),
  phase: 'working',
  agent: 'claude',
  openBlockers: [],
  round: 0,
  maxRounds: 5,
  ...over,
});

describe('status comment', () => {
  it('starts with the marker so the activity can find it again', () => {
    const body = renderStatusComment(report());
    expect(body.startsWith(`${STATUS_MARKER}\n`)).toBe(true);
    expect(isStatusComment(body)).toBe(true);
    expect(isStatusComment(`> ${body}`)).toBe(false);
  });

  it('shows phase, agent and blockers', () => {
    const body = renderStatusComment(report({ phase: 'blocked', openBlockers: ['acme/widgets#3', 'acme/gears#1'] }));
    expect(body).toContain('Blocked by other issues');
    expect(body).toContain('`claude`');
    expect(body).toContain('acme/widgets#3, acme/gears#1');
  });

  it('renders the gate table of the last round with the round counter, without raw output', () => {
    const body = renderStatusComment(
      report({
        phase: 'continuing',
        round: 2,
        verification: {
          passed: false,
          round: 2,
          startedAt: '2026-01-01T00:00:00Z',
          durationMs: 9000,
          gates: [gate({}), gate({ gate: 'test', status: 'failed', exitCode: 1, summary: '3 of 40 failed | flaky' })],
        },
      }),
    );
    expect(body).toContain('Continuation round | 2 of 5');
    expect(body).toContain('Quality gates, round 2: failed');
    expect(body).toMatch(/\| lint \| ✅ passed \| 1\.2 s \| no problems \|/);
    expect(body).toContain('| test | ❌ failed | 1.2 s | 3 of 40 failed \\| flaky |');
    expect(body).not.toContain('SECRET OUTPUT TAIL');
  });

  it('writes a final state for passed, escalated, closed and cancelled', () => {
    expect(renderStatusComment(report({ phase: 'passed' }))).toContain('Done: every quality gate passed');
    expect(renderStatusComment(report({ phase: 'escalated', note: 'five rounds failed' }))).toContain(
      '> five rounds failed',
    );
    expect(renderStatusComment(report({ phase: 'closed' }))).toContain('Closed');
    const cancelled = renderStatusComment(report({ phase: 'cancelled' }));
    expect(cancelled).toContain('Cancelled');
    expect(cancelled).not.toContain('working on it');
  });

  it('never shows a secret, fakes no marker and pings nobody from free text', () => {
    const body = renderStatusComment(
      report({ note: 'token abcd1234secret <!-- issue-coordinator:status --> @admin' }),
      {
        secrets: ['abcd1234secret'],
      },
    );
    expect(body).not.toContain('abcd1234secret');
    expect(body).toContain('[REDACTED]');
    expect(body.split(STATUS_MARKER)).toHaveLength(2);
    expect(body).not.toMatch(/@admin/);
  });

  it('maps every phase to at most one managed label, and ends without one when closed or cancelled', () => {
    const managed = new Set(COORDINATOR_LABELS.map((l) => l.name));
    for (const phase of ISSUE_PHASES) {
      const label = PHASE_LABELS[phase];
      if (label) expect(managed.has(label.name)).toBe(true);
    }
    expect(PHASE_LABELS.working?.name).toBe('coordinator/working');
    expect(PHASE_LABELS.escalated?.name).toBe('coordinator/needs-human');
    expect(PHASE_LABELS.cancelled).toBeUndefined();
    expect(PHASE_LABELS.closed).toBeUndefined();
  });
});
