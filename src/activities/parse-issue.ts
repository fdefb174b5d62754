/**
 * The parse and assign activities. Parsing never fails because of the model: without a key, after the SDK's
 * retries, or on an answer that fails validation, the heuristic parser answers and `parser`/`fallbackReason` say
 * so. Gitea's native dependencies are authoritative, so a failure to read them is thrown and retried by Temporal.
 */
import { parseIssueHeuristically } from '../domain/heuristic-parser';
import { metadataFromModel, withNativeDependencies, type NativeDependencies } from '../domain/merge-metadata';
import type { IssueMetadata, IssueSnapshot } from '../domain/types';
import type { Logger } from '../logger';
import { createAnthropicParser, type AnthropicParserOptions } from './anthropic-parser';
import { createAssignAgent, type AssignAgentDeps } from './assign-agent';
import type { CoordinatorActivities } from './contract';

export const DEFAULT_ANTHROPIC_MAX_RETRIES = 2;
export const DEFAULT_ANTHROPIC_TIMEOUT_MS = 30_000;
/** Under the parse activity's 2-minute start-to-close timeout (src/workflows/activity-options.ts). */
export const DEFAULT_ANTHROPIC_TOTAL_TIMEOUT_MS = 100_000;

export interface ParseActivityDeps extends AssignAgentDeps {
  anthropic: Omit<AnthropicParserOptions, 'apiKey' | 'maxRetries' | 'timeoutMs' | 'totalTimeoutMs'> & {
    apiKey: string | undefined;
    maxRetries?: number;
    timeoutMs?: number;
    totalTimeoutMs?: number;
  };
  log: Logger;
  /** Gitea's `/issues/{n}/dependencies` and `/blocks`; undefined when no Gitea client is configured. */
  fetchNativeDependencies?: (issue: IssueSnapshot) => Promise<NativeDependencies>;
  /** The issue's comments written by people, latest last; undefined when no Gitea client is configured. */
  fetchComments?: (issue: IssueSnapshot) => Promise<string[]>;
}

export function createParseActivities(
  deps: ParseActivityDeps,
): Pick<CoordinatorActivities, 'parseIssue' | 'assignAgent'> {
  const { apiKey, ...anthropic } = deps.anthropic;
  const askModel = apiKey
    ? createAnthropicParser({
        ...anthropic,
        apiKey,
        maxRetries: anthropic.maxRetries ?? DEFAULT_ANTHROPIC_MAX_RETRIES,
        timeoutMs: anthropic.timeoutMs ?? DEFAULT_ANTHROPIC_TIMEOUT_MS,
        totalTimeoutMs: anthropic.totalTimeoutMs ?? DEFAULT_ANTHROPIC_TOTAL_TIMEOUT_MS,
      })
    : undefined;

  async function parseText(issue: IssueSnapshot): Promise<IssueMetadata> {
    if (!askModel) return parseIssueHeuristically(issue, 'no ANTHROPIC_API_KEY');
    const parsed = await askModel(issue);
    if (parsed.ok) return metadataFromModel(issue, parsed.answer, parsed.usage);
    deps.log.warn({ issueKey: issue.key, reason: parsed.reason }, 'model parse failed; heuristic parser answers');
    return { ...parseIssueHeuristically(issue, parsed.reason), ...(parsed.usage ? { usage: parsed.usage } : {}) };
  }

  return {
    async parseIssue({ issue: snapshot }) {
      // Gitea first: when it fails, the retry does not pay for a second model call.
      const [native, comments] = await Promise.all([
        deps.fetchNativeDependencies?.(snapshot),
        deps.fetchComments?.(snapshot),
      ]);
      const issue = comments ? { ...snapshot, comments } : snapshot;
      const metadata = await parseText(issue);
      const merged = native ? withNativeDependencies(metadata, native, issue.key) : metadata;
      deps.log.info(
        {
          issueKey: issue.key,
          parser: merged.parser,
          fallbackReason: merged.fallbackReason,
          estimatedContextTokens: merged.estimatedContextTokens,
          difficulty: merged.difficulty,
          usage: merged.usage,
        },
        'issue parsed',
      );
      return merged;
    },
    assignAgent: createAssignAgent(deps),
  };
}
