import { ConfigError, loadConfig } from '../../src/config';
import { issueWorkflowBounds } from '../../src/workflows/start-options';
import {
  compactStillRequested,
  decideContextAction,
  DEFAULT_CONTEXT_THRESHOLDS,
  renderCompactInstruction,
  renderHandoffPrompt,
  thresholdProblem,
} from '../../src/domain/context-policy';

const at = (usedTokens: number) => ({ usedTokens, windowTokens: 200_000 });
const decide = (used: number, compactRequested = false) =>
  decideContextAction(at(used), DEFAULT_CONTEXT_THRESHOLDS, compactRequested);

describe('context policy', () => {
  it('does nothing without a report or below 80%', () => {
    expect(decideContextAction(undefined, DEFAULT_CONTEXT_THRESHOLDS, false)).toBe('none');
    expect(decide(159_999)).toBe('none');
  });

  it('asks to compact from 80% on, once until usage drops below 80% again', () => {
    expect(decide(160_000)).toBe('compact');
    expect(decide(180_000, true)).toBe('none');
    expect(compactStillRequested(at(170_000), DEFAULT_CONTEXT_THRESHOLDS)).toBe(true);
    expect(compactStillRequested(at(100_000), DEFAULT_CONTEXT_THRESHOLDS)).toBe(false);
  });

  it('hands off from 95% on, even when compaction was already asked for', () => {
    expect(decide(190_000)).toBe('handoff');
    expect(decide(250_000, true)).toBe('handoff');
  });

  it('ignores a report without a window', () => {
    expect(decideContextAction({ usedTokens: 5, windowTokens: 0 }, DEFAULT_CONTEXT_THRESHOLDS, false)).toBe('none');
  });

  it('rejects thresholds that are not ordered fractions', () => {
    expect(thresholdProblem(DEFAULT_CONTEXT_THRESHOLDS)).toBeUndefined();
    expect(thresholdProblem({ compactAt: 0.95, handoffAt: 0.8 })).toMatch(/below/);
    expect(thresholdProblem({ compactAt: 0, handoffAt: 0.8 })).toMatch(/fractions/);
    expect(thresholdProblem({ compactAt: 0.5, handoffAt: 1.5 })).toMatch(/fractions/);
  });

  it('renders the compact instruction with the usage and the hand-off prompt with task, progress and verdict', () => {
    expect(renderCompactInstruction('acme/w#1', at(170_000))).toContain('about 85% of your context window');
    const prompt = renderHandoffPrompt({
      issueKey: 'acme/w#1',
      taskPrompt: 'Resolve issue acme/w#1: Spin',
      round: 3,
      maxRounds: 5,
      lastVerdictPrompt: 'lint failed: src/a.ts:3',
    });
    expect(prompt).toContain('taking over acme/w#1');
    expect(prompt).toContain('round 3 of 5');
    expect(prompt).toContain('Resolve issue acme/w#1: Spin');
    expect(prompt).toContain('lint failed: src/a.ts:3');
    expect(renderHandoffPrompt({ issueKey: 'k', taskPrompt: 't', round: 1, maxRounds: 5 })).not.toContain('verdict');
  });
});

describe('CONTEXT_COMPACT_AT / CONTEXT_HANDOFF_AT', () => {
  it('default to 0.8 and 0.95, and must be ordered fractions', () => {
    expect(loadConfig({}).workflow).toMatchObject({ contextCompactAt: 0.8, contextHandoffAt: 0.95 });
    expect(loadConfig({ CONTEXT_COMPACT_AT: '0.7', CONTEXT_HANDOFF_AT: '0.9' }).workflow).toMatchObject({
      contextCompactAt: 0.7,
      contextHandoffAt: 0.9,
    });
    expect(() => loadConfig({ CONTEXT_COMPACT_AT: '0.9', CONTEXT_HANDOFF_AT: '0.8' })).toThrow(ConfigError);
    expect(() => loadConfig({ CONTEXT_HANDOFF_AT: '95' })).toThrow(/CONTEXT_HANDOFF_AT/);
  });

  it('reach the workflow input through the starters’ shared bounds', () => {
    const config = loadConfig({ CONTEXT_COMPACT_AT: '0.7', CONTEXT_HANDOFF_AT: '0.9' });
    expect(issueWorkflowBounds(config.workflow)).toMatchObject({ contextCompactAt: 0.7, contextHandoffAt: 0.9 });
  });
});
