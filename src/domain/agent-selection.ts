/**
 * Chooses the agent for an issue. Pure. The cheapest agent (lowest costRank; ties by name, for determinism) whose
 * usable budget — contextBudgetFraction × contextWindow — covers the estimate and whose capability is at least the
 * issue's difficulty. When none fits, the answer says why, so the workflow can escalate instead of guessing.
 */
import { formatTokens } from './context-estimate';
import { DIFFICULTIES, type AgentSpec, type Assignment, type Difficulty } from './types';

export type PoolAgent = Pick<AgentSpec, 'name' | 'contextWindow' | 'capability' | 'costRank' | 'concurrency'>;

export interface SelectionRequest {
  agents: readonly PoolAgent[];
  estimatedContextTokens: number;
  difficulty: Difficulty;
  budgetFraction: number;
  /**
   * Sessions each agent holds now; agents at their concurrency are chosen only when no other one fits, and then
   * nothing waits for a slot: the cheapest is dispatched above its limit, and the reason says so.
   */
  running?: Readonly<Record<string, number>>;
}

export function agentBudget(agent: Pick<PoolAgent, 'contextWindow'>, budgetFraction: number): number {
  return Math.floor(agent.contextWindow * budgetFraction);
}

export function meetsDifficulty(capability: Difficulty, difficulty: Difficulty): boolean {
  return DIFFICULTIES.indexOf(capability) >= DIFFICULTIES.indexOf(difficulty);
}

function byCost(a: PoolAgent, b: PoolAgent): number {
  return a.costRank - b.costRank || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

function largest<T>(items: readonly T[], size: (item: T) => number): T {
  return items.reduce((best, item) => (size(item) > size(best) ? item : best));
}

export function selectAgent(request: SelectionRequest): Assignment {
  const { agents, estimatedContextTokens: estimate, difficulty, budgetFraction } = request;
  const estimateText = `estimated ${formatTokens(estimate)} tokens`;
  if (agents.length === 0) return { ok: false, reason: 'no agents are configured (agents in COORDINATOR_CONFIG_FILE)' };

  const budget = (agent: PoolAgent) => agentBudget(agent, budgetFraction);
  const capable = agents.filter((agent) => meetsDifficulty(agent.capability, difficulty));
  const roomy = agents.filter((agent) => budget(agent) >= estimate);
  const fitting = capable.filter((agent) => budget(agent) >= estimate).sort(byCost);

  if (fitting.length === 0) {
    if (roomy.length === 0) {
      const top = largest(agents, budget);
      return {
        ok: false,
        reason: `${estimateText} exceeds every agent's budget (largest: ${formatTokens(budget(top))} of ${top.name}): split the issue`,
      };
    }
    if (capable.length === 0) {
      const top = largest(agents, (agent) => DIFFICULTIES.indexOf(agent.capability));
      return {
        ok: false,
        reason: `difficulty ${difficulty} exceeds every agent's capability (highest: ${top.capability} of ${top.name}): split the issue or add a more capable agent`,
      };
    }
    const top = largest(capable, budget);
    return {
      ok: false,
      reason: `${estimateText} exceeds the budget of every agent capable of ${difficulty} work (largest: ${formatTokens(budget(top))} of ${top.name}): split the issue`,
    };
  }

  const running = request.running ?? {};
  const isFree = (agent: PoolAgent) => (running[agent.name] ?? 0) < agent.concurrency;
  const chosen = fitting.find(isFree) ?? fitting[0]!;
  const load = isFree(chosen)
    ? ''
    : `; every fitting agent is at its concurrency (${running[chosen.name]}/${chosen.concurrency} running), so it runs above its limit`;
  return {
    ok: true,
    agent: chosen.name,
    budgetTokens: budget(chosen),
    reason: `${chosen.name}: cheapest agent (cost rank ${chosen.costRank}) capable of ${difficulty} work with a budget of ${formatTokens(budget(chosen))} for ${estimateText}${load}`,
  };
}
