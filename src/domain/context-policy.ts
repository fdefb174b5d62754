/**
 * What to do about an agent's context window, from the usage it reported. Pure: the issue workflow calls it
 * whenever a report arrives and carries the decision out.
 */
export interface ContextUsage {
  usedTokens: number;
  windowTokens: number;
}

export interface ContextThresholds {
  /** Fraction of the window at which the agent is told to compact its context. */
  compactAt: number;
  /** Fraction at which the session is ended and a fresh one takes over with a hand-off prompt. */
  handoffAt: number;
}

export const DEFAULT_CONTEXT_THRESHOLDS: ContextThresholds = { compactAt: 0.8, handoffAt: 0.95 };

export type ContextAction = 'none' | 'compact' | 'handoff';

/** Used fraction of the window; 0 for a report without a usable window. */
export function usedFraction(usage: ContextUsage): number {
  return usage.windowTokens > 0 ? usage.usedTokens / usage.windowTokens : 0;
}

/**
 * `compactRequested`: this session was already told to compact and has not dropped below `compactAt` since, so it
 * is not told again; once a report shows it under the threshold, a later rise asks again.
 */
export function decideContextAction(
  usage: ContextUsage | undefined,
  thresholds: ContextThresholds,
  compactRequested: boolean,
): ContextAction {
  if (!usage) return 'none';
  const used = usedFraction(usage);
  if (used >= thresholds.handoffAt) return 'handoff';
  if (used >= thresholds.compactAt && !compactRequested) return 'compact';
  return 'none';
}

/** Whether a session told to compact still counts as told after this report. */
export function compactStillRequested(usage: ContextUsage, thresholds: ContextThresholds): boolean {
  return usedFraction(usage) >= thresholds.compactAt;
}

/** Both in (0, 1], compaction before hand-off; anything else is a configuration error. */
export function thresholdProblem(thresholds: ContextThresholds): string | undefined {
  const { compactAt, handoffAt } = thresholds;
  const valid = (x: number) => Number.isFinite(x) && x > 0 && x <= 1;
  if (!valid(compactAt) || !valid(handoffAt)) return 'context thresholds must be fractions in (0, 1]';
  if (compactAt >= handoffAt) return 'the compaction threshold must be below the hand-off threshold';
  return undefined;
}

export function renderCompactInstruction(issueKey: string, usage: ContextUsage): string {
  const percent = Math.round(100 * usedFraction(usage));
  return [
    `Context notice for ${issueKey}: you have used about ${percent}% of your context window ` +
      `(${usage.usedTokens} of ${usage.windowTokens} tokens).`,
    'Compact your context now (e.g. /compact): keep the task, the decisions made, the files changed and the ' +
      'failing gates; drop exploration you no longer need. Then carry on with the task.',
  ].join('\n');
}

export interface HandoffPromptInput {
  issueKey: string;
  taskPrompt: string;
  round: number;
  maxRounds: number;
  /** The last failed verdict's continuation prompt, when a round already failed. */
  lastVerdictPrompt?: string;
}

/** The first prompt of a fresh session that takes over from one whose context ran out. */
export function renderHandoffPrompt(input: HandoffPromptInput): string {
  const lines = [
    `You are taking over ${input.issueKey} from a previous agent session that ran out of context window.`,
    `Progress: this is verification round ${input.round} of ${input.maxRounds}. The previous session's changes ` +
      'are in the workspace: start by reviewing them (git status, git diff) instead of starting over.',
    '',
    'The task:',
    input.taskPrompt,
  ];
  if (input.lastVerdictPrompt) lines.push('', 'The last verdict of the quality gates:', input.lastVerdictPrompt);
  return lines.join('\n');
}
