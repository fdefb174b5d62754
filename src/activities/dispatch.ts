import { existsSync } from 'node:fs';
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { CoordinatorActivities, DispatchInput, DispatchReceipt } from './contract';
import { killAbandonedAttempt, processGroupHeartbeat } from './abandoned-process';
import type { ActivityDeps } from './index';
import { workspaceFor } from './gates';
import { asActivityFailure } from './gitea-failure';
import { runAgentCommand } from '../agents/command';
import { dispatchByComment, isGiteaLogin } from '../agents/gitea-comment';
import { postTask, webhookTask, WebhookDispatchError } from '../agents/webhook';
import type { AgentConfig } from '../config-file';
import { giteaClientFromConfig, type GiteaClient } from '../gitea/client';
import { scrubbedEnv } from '../gates/env';

export interface DispatchDeps extends Pick<ActivityDeps, 'config' | 'file' | 'log'> {
  /** Default: a client from GITEA_URL/GITEA_TOKEN (needed by `gitea-comment` agents only). */
  gitea?: GiteaClient;
  /** How often a running `command` agent heartbeats; the workflow's heartbeatTimeout must be longer. */
  heartbeatMs?: number;
}

/** How often a running `command` agent heartbeats by default. */
export const AGENT_HEARTBEAT_MS = 10_000;

/**
 * dispatchAgent hands the task (or the continuation prompt) to the agent through its configured driver:
 * `command` runs it and its exit is the completion claim; `webhook` and `gitea-comment` tell it and return
 * `awaiting-claim`, the claim arriving later as the completion-claim Update.
 */
export function createDispatchActivities(deps: DispatchDeps): Pick<CoordinatorActivities, 'dispatchAgent'> {
  const gitea = deps.gitea ?? giteaClientFromConfig(deps.config.gitea, deps.log);
  const secrets = [deps.config.gitea.token, deps.config.anthropic.apiKey, deps.config.agents.webhookSecret]
    .concat(deps.config.gitea.webhookSecrets)
    .filter((s): s is string => !!s);

  async function viaCommand(input: DispatchInput, agent: AgentConfig): Promise<DispatchReceipt> {
    const cwd = workspaceFor(deps, input.issue.key);
    if (!existsSync(cwd)) throw ApplicationFailure.nonRetryable(`workspace ${cwd} does not exist`, 'WorkspaceMissing');
    const context = Context.current();
    killAbandonedAttempt(context.info, deps.log);
    let processGroup: number | undefined;
    // The first heartbeat (sent at once, later ones are throttled) names the agent's process group.
    const beat = () => context.heartbeat({ dispatchId: input.dispatchId, ...processGroupHeartbeat(processGroup) });
    const result = await runAgentCommand({
      argv: agent.command!,
      cwd,
      prompt: input.prompt,
      env: agentEnv(deps, input),
      signal: context.cancellationSignal,
      ...(context.info.startToCloseTimeoutMs > 0 ? { timeoutMs: context.info.startToCloseTimeoutMs } : {}),
      onSpawn: (pid) => ((processGroup = pid), beat()),
      onTick: beat,
      tickMs: deps.heartbeatMs ?? AGENT_HEARTBEAT_MS,
    });
    if (result.reason === 'spawn-error') {
      throw ApplicationFailure.nonRetryable(`agent ${agent.name}: ${result.error}`, 'AgentCommandFailed');
    }
    if (result.reason === 'cancelled') throw new CancelledFailure(`agent ${agent.name} was stopped`);
    if (result.reason === 'timeout')
      throw ApplicationFailure.retryable(`agent ${agent.name} timed out`, 'AgentTimeout');
    const failedWith = result.exitCode !== 0 && result.stderrTail ? `; stderr ends: ${result.stderrTail}` : '';
    return {
      outcome: 'claimed',
      detail: `${agent.name} exited with code ${result.exitCode} after ${Math.round(result.durationMs / 1000)} s${failedWith}`,
      ...(result.contextTokensUsed !== undefined
        ? { contextTokensUsed: result.contextTokensUsed, contextWindowTokens: agent.contextWindow }
        : {}),
    };
  }

  async function viaWebhook(input: DispatchInput, agent: AgentConfig): Promise<DispatchReceipt> {
    const secret = deps.config.agents.webhookSecret;
    if (!secret) throw ApplicationFailure.nonRetryable('AGENT_WEBHOOK_SECRET is not set', 'AgentNotConfigured');
    try {
      const { status } = await postTask({ url: agent.url!, secret, task: webhookTask(input) });
      return { outcome: 'awaiting-claim', detail: `task POSTed to ${agent.name} (${status})` };
    } catch (error) {
      if (error instanceof WebhookDispatchError && !error.retryable) {
        throw ApplicationFailure.nonRetryable(error.message, 'AgentWebhookRefused');
      }
      throw error;
    }
  }

  async function viaComment(input: DispatchInput, agent: AgentConfig): Promise<DispatchReceipt> {
    if (!gitea) {
      throw ApplicationFailure.nonRetryable(
        'GITEA_URL and GITEA_TOKEN are needed by gitea-comment agents',
        'AgentNotConfigured',
      );
    }
    const user = agent.giteaUser!;
    if (!isGiteaLogin(user)) throw ApplicationFailure.nonRetryable(`not a Gitea login: ${user}`, 'AgentNotConfigured');
    const { posted } = await asActivityFailure(() => dispatchByComment(gitea, input, user, secrets));
    return { outcome: 'awaiting-claim', detail: posted ? `mentioned @${user}` : `@${user} was already mentioned` };
  }

  return {
    async dispatchAgent(input) {
      const agent = deps.file.agents.find((candidate) => candidate.name === input.agent);
      if (!agent) throw ApplicationFailure.nonRetryable(`no agent named ${input.agent} in the pool`, 'UnknownAgent');
      deps.log.info(
        { issueKey: input.issue.key, agent: agent.name, driver: agent.driver, round: input.round },
        'dispatching',
      );
      switch (agent.driver) {
        case 'command':
          return viaCommand(input, agent);
        case 'webhook':
          return viaWebhook(input, agent);
        case 'gitea-comment':
          return viaComment(input, agent);
      }
    },
  };
}

/**
 * The agent gets the scrubbed environment the gates get (none of the coordinator's secrets), plus what its stop
 * hook needs to claim completion: `npx coordinator claim "$COORDINATOR_ISSUE_KEY"`.
 */
export function agentEnv(deps: Pick<ActivityDeps, 'config'>, input: DispatchInput): Record<string, string> {
  const temporal = deps.config.temporal;
  return {
    ...scrubbedEnv(),
    COORDINATOR_ISSUE_KEY: input.issue.key,
    COORDINATOR_AGENT: input.agent,
    COORDINATOR_DISPATCH_ID: input.dispatchId,
    COORDINATOR_ROUND: String(input.round),
    TEMPORAL_ADDRESS: temporal.address ?? `127.0.0.1:${temporal.devPort}`,
    TEMPORAL_NAMESPACE: temporal.namespace,
  };
}
