import { selectAgent, type PoolAgent } from '../../src/domain/agent-selection';
import type { Difficulty } from '../../src/domain/types';

const pool: PoolAgent[] = [
  { name: 'haiku-coder', contextWindow: 100_000, capability: 'easy', costRank: 1, concurrency: 4 },
  { name: 'sonnet-coder', contextWindow: 200_000, capability: 'hard', costRank: 2, concurrency: 2 },
  { name: 'opus-coder', contextWindow: 200_000, capability: 'expert', costRank: 5, concurrency: 1 },
];

function select(estimate: number, difficulty: Difficulty, agents = pool, running?: Record<string, number>) {
  return selectAgent({
    agents,
    estimatedContextTokens: estimate,
    difficulty,
    budgetFraction: 0.6,
    ...(running ? { running } : {}),
  });
}

describe('agent selection', () => {
  it.each([
    [30_000, 'trivial', 'haiku-coder', 60_000],
    [60_000, 'easy', 'haiku-coder', 60_000],
    [60_001, 'easy', 'sonnet-coder', 120_000],
    [30_000, 'medium', 'sonnet-coder', 120_000],
    [120_000, 'hard', 'sonnet-coder', 120_000],
    [30_000, 'expert', 'opus-coder', 120_000],
  ] as const)('%p tokens, %s → %s (budget %p)', (estimate, difficulty, agent, budgetTokens) => {
    expect(select(estimate, difficulty)).toMatchObject({ ok: true, agent, budgetTokens });
  });

  it('refuses an estimate above every budget and says to split the issue', () => {
    expect(select(180_000, 'medium')).toEqual({
      ok: false,
      reason: "estimated 180k tokens exceeds every agent's budget (largest: 120k of sonnet-coder): split the issue",
    });
  });

  it('refuses a difficulty above every capability', () => {
    const result = select(10_000, 'expert', pool.slice(0, 2));
    expect(result).toEqual({
      ok: false,
      reason:
        "difficulty expert exceeds every agent's capability (highest: hard of sonnet-coder): split the issue or add a more capable agent",
    });
  });

  it('explains when the capable agents are too small and the large ones not capable', () => {
    const agents: PoolAgent[] = [
      { name: 'big-easy', contextWindow: 1_000_000, capability: 'easy', costRank: 1, concurrency: 1 },
      { name: 'small-expert', contextWindow: 100_000, capability: 'expert', costRank: 3, concurrency: 1 },
    ];
    const result = select(200_000, 'hard', agents);
    expect(result.ok).toBe(false);
    expect(result.reason).toBe(
      'estimated 200k tokens exceeds the budget of every agent capable of hard work (largest: 60k of small-expert): split the issue',
    );
  });

  it('refuses with an empty pool', () => {
    expect(select(1_000, 'trivial', [])).toMatchObject({
      ok: false,
      reason: expect.stringContaining('no agents are configured'),
    });
  });

  it('breaks cost ties by name, so the same issue always gets the same agent', () => {
    const twins: PoolAgent[] = [
      { name: 'zeta', contextWindow: 200_000, capability: 'hard', costRank: 1, concurrency: 1 },
      { name: 'alpha', contextWindow: 200_000, capability: 'hard', costRank: 1, concurrency: 1 },
    ];
    expect(select(10_000, 'easy', twins)).toMatchObject({ agent: 'alpha' });
  });

  it('prefers a fitting agent with a free slot, and says the cheapest runs above its limit when all are busy', () => {
    expect(select(30_000, 'medium', pool, { 'sonnet-coder': 2 })).toMatchObject({ ok: true, agent: 'opus-coder' });
    const busy = select(30_000, 'medium', pool, { 'sonnet-coder': 2, 'opus-coder': 1 });
    expect(busy).toMatchObject({ ok: true, agent: 'sonnet-coder' });
    expect(busy.reason).toContain('at its concurrency (2/2 running), so it runs above its limit');
    // Nothing queues it: the workflow dispatches the chosen agent at once.
    expect(busy.reason).not.toContain('queue');
  });

  it('uses the configured budget fraction', () => {
    const result = selectAgent({
      agents: pool,
      estimatedContextTokens: 150_000,
      difficulty: 'hard',
      budgetFraction: 0.8,
    });
    expect(result).toMatchObject({ ok: true, agent: 'sonnet-coder', budgetTokens: 160_000 });
  });
});
