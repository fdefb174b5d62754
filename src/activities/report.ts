import type { CoordinatorActivities, IssueState } from './contract';
import type { ActivityDeps } from './index';
import { parseIssueKey, type IssueRef } from '../domain/issue-key';
import type { IssueKey } from '../domain/types';
import { COORDINATOR_LABELS, isStatusComment, PHASE_LABELS, renderStatusComment } from '../domain/status-comment';
import { giteaClientFromConfig, type GiteaClient, type GiteaLabel } from '../gitea/client';
import { asActivityFailure } from './gitea-failure';

export interface ReportDeps extends Pick<ActivityDeps, 'config' | 'log'> {
  /** Default: a client from GITEA_URL/GITEA_TOKEN; none when either is unset. */
  gitea?: GiteaClient;
}

export type ReportActivities = Pick<CoordinatorActivities, 'reportStatus' | 'fetchIssueStates'>;

/**
 * Reporting on the issue: one status comment, found by its marker and edited in place, and one phase label.
 * Without GITEA_URL/GITEA_TOKEN, reportStatus only logs and fetchIssueStates answers nothing (every state unknown).
 */
export function createReportActivities(deps: ReportDeps): ReportActivities {
  const gitea = deps.gitea ?? giteaClientFromConfig(deps.config.gitea, deps.log);
  const secrets = knownSecrets(deps.config);

  return {
    async reportStatus(report) {
      const log = deps.log.child({ issueKey: report.issue.key, phase: report.phase });
      if (!gitea) {
        log.info({ agent: report.agent, round: report.round }, 'status (Gitea not configured: not reported)');
        return;
      }
      const ref = { owner: report.issue.owner, repo: report.issue.repo, number: report.issue.number };
      const body = renderStatusComment(report, { secrets });
      const issue = await asActivityFailure(() => gitea.getIssue(ref));
      if (!issue) {
        // Deleted (or moved out of reach): there is nothing left to report on, and retrying cannot change that.
        log.warn('status not reported: the issue no longer exists');
        return;
      }
      await asActivityFailure(async () => {
        // Find before create: a retried activity must edit the comment its first attempt created.
        // Only our own comment: a marker copied into someone else's comment must not make us try to edit theirs.
        const [comments, self] = await Promise.all([gitea.listComments(ref), gitea.currentUser()]);
        const existing = comments.find((comment) => comment.user?.id === self.id && isStatusComment(comment.body));
        if (!existing) await gitea.createComment(ref, body);
        else if (existing.body !== body) await gitea.editComment(ref.owner, ref.repo, existing.id, body);
        await swapPhaseLabel(gitea, ref, issue.labels ?? [], PHASE_LABELS[report.phase]?.name);
      });
      log.debug('status reported');
    },

    async fetchIssueStates({ keys }) {
      const states: Record<IssueKey, IssueState> = {};
      if (!gitea) {
        deps.log.info({ keys }, 'issue states unknown (Gitea not configured)');
        return states;
      }
      await asActivityFailure(async () => {
        for (const key of keys) {
          const ref = parseIssueKey(key);
          if (!ref) {
            states[key] = 'missing';
            continue;
          }
          const issue = await gitea.getIssue(ref);
          states[key] = issue ? issue.state : 'missing';
        }
      });
      return states;
    },
  };
}

async function swapPhaseLabel(
  gitea: GiteaClient,
  ref: IssueRef,
  current: GiteaLabel[],
  wanted: string | undefined,
): Promise<void> {
  const managed = new Set(COORDINATOR_LABELS.map((l) => l.name.toLowerCase()));
  for (const label of current) {
    if (managed.has(label.name.toLowerCase()) && label.name.toLowerCase() !== wanted?.toLowerCase()) {
      await gitea.removeLabel(ref, label.id);
    }
  }
  const spec = COORDINATOR_LABELS.find((l) => l.name === wanted);
  if (spec && !current.some((l) => l.name.toLowerCase() === spec.name.toLowerCase())) {
    await gitea.addLabels(ref, [spec]);
  }
}

function knownSecrets(config: ActivityDeps['config']): string[] {
  return [config.gitea.token, config.anthropic.apiKey, ...config.gitea.webhookSecrets].filter((s): s is string => !!s);
}
