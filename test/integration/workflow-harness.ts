/**
 * Test implementations of CoordinatorActivities for the issue-workflow tests, registered on a real worker. Each
 * test scripts its own issue (by key) and reads back what the workflow asked of the outside world.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Context, sleep } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type {
  CoordinatorActivities,
  DispatchInput,
  DispatchReceipt,
  IssueState,
  RunGateInput,
  StatusReport,
} from '../../src/activities/contract';
import type { Assignment, GateKind, GateResult, IssueKey, IssueMetadata, IssueSnapshot } from '../../src/domain/types';
import type { issueWorkflow, IssueWorkflowInput } from '../../src/workflows/issue-workflow';
import { issueChangedSignal, type IssueChangedSignal } from '../../src/workflows/messages';
import { issueWorkflowStartOptions } from '../../src/workflows/start-options';
import { testServer, uniqueName } from '../helpers/temporal';

export interface Script {
  blockedBy?: IssueKey[];
  blocks?: IssueKey[];
  assignment?: Assignment;
  /** Blocker states answered by the n-th re-check (0-based). */
  issueStates?: (keys: IssueKey[], call: number) => Record<IssueKey, IssueState>;
  /** Default: the agent is told and answers `awaiting-claim`. */
  dispatch?: (input: DispatchInput) => Promise<DispatchReceipt>;
  gates?: GateKind[];
  /** Default: answers `gates` (build, lint, test). */
  planGates?: () => Promise<GateKind[]>;
  /** Default: every gate passes. */
  gate?: (input: RunGateInput) => Promise<GateResult>;
  /** Gitea is down: re-checks and status reports fail (non-retryably, to keep the test short). */
  giteaDown?: boolean;
  /** A slow Gitea: each status report takes this long. */
  reportDelayMs?: number;
}

export interface Recorded {
  parses: number;
  assignments: number;
  stateChecks: number;
  dispatches: DispatchInput[];
  cancelledDispatches: number;
  gateRuns: RunGateInput[];
  cancelledGates: number;
  reports: StatusReport[];
}

export function gateResult(gate: GateKind, status: GateResult['status'] = 'passed'): GateResult {
  return {
    gate,
    status,
    exitCode: status === 'passed' ? 0 : 1,
    durationMs: 1200,
    command: ['npm', 'run', gate],
    outputTail: '',
    summary: status === 'passed' ? `${gate} ok` : `${gate}: 2 problems`,
    findings: status === 'passed' ? [] : [{ file: 'src/a.ts', line: 3, message: `${gate} finding` }],
  };
}

/** Heartbeats until the workflow cancels the activity, then records it: an agent or gate that runs "forever". */
export async function runUntilCancelled(onCancel: () => void): Promise<never> {
  try {
    for (;;) {
      Context.current().heartbeat();
      await sleep(100);
    }
  } catch (error) {
    onCancel();
    throw error;
  }
}

export class Fakes {
  private readonly scripts = new Map<IssueKey, Script>();
  private readonly records = new Map<IssueKey, Recorded>();

  script(key: IssueKey, script: Script = {}): Recorded {
    this.scripts.set(key, script);
    const recorded: Recorded = {
      parses: 0,
      assignments: 0,
      stateChecks: 0,
      dispatches: [],
      cancelledDispatches: 0,
      gateRuns: [],
      cancelledGates: 0,
      reports: [],
    };
    this.records.set(key, recorded);
    return recorded;
  }

  private of(key: IssueKey): [Script, Recorded] {
    const script = this.scripts.get(key);
    const recorded = this.records.get(key);
    if (!script || !recorded) throw ApplicationFailure.nonRetryable(`no script for ${key}`);
    return [script, recorded];
  }

  readonly activities: CoordinatorActivities = {
    parseIssue: async ({ issue }) => {
      const [script, recorded] = this.of(issue.key);
      recorded.parses += 1;
      const metadata: IssueMetadata = {
        estimatedContextTokens: 1000,
        contextSource: 'estimated',
        difficulty: 'easy',
        blockedBy: script.blockedBy ?? [],
        blocks: script.blocks ?? [],
        summary: issue.title,
        acceptanceCriteria: ['it works'],
        parser: 'heuristic',
      };
      return metadata;
    },
    assignAgent: async ({ issueKey }) => {
      const [script, recorded] = this.of(issueKey);
      recorded.assignments += 1;
      return script.assignment ?? { ok: true, agent: 'claude-small', budgetTokens: 50_000, reason: 'fits' };
    },
    fetchIssueStates: async ({ keys }) => {
      // Blocker re-checks are scripted on the blocked issue; find it through the keys' owner script.
      const entry = [...this.scripts.entries()].find(([, script]) => keys.some((k) => script.blockedBy?.includes(k)));
      if (!entry) return Object.fromEntries(keys.map((k) => [k, 'open' as const]));
      const recorded = this.records.get(entry[0])!;
      const call = recorded.stateChecks++;
      if (entry[1].giteaDown) throw ApplicationFailure.nonRetryable('Gitea is unreachable');
      return entry[1].issueStates?.(keys, call) ?? Object.fromEntries(keys.map((k) => [k, 'open' as const]));
    },
    dispatchAgent: async (input) => {
      const [script, recorded] = this.of(input.issue.key);
      recorded.dispatches.push(input);
      if (!script.dispatch) return { outcome: 'awaiting-claim' };
      try {
        return await script.dispatch(input);
      } catch (error) {
        if (Context.current().cancellationSignal.aborted) recorded.cancelledDispatches += 1;
        throw error;
      }
    },
    planGates: async ({ issueKey }) => {
      const [script] = this.of(issueKey);
      return script.planGates ? script.planGates() : (script.gates ?? ['build', 'lint', 'test']);
    },
    runGate: async (input) => {
      const [script, recorded] = this.of(input.issueKey);
      recorded.gateRuns.push(input);
      if (!script.gate) return gateResult(input.gate);
      try {
        return await script.gate(input);
      } catch (error) {
        if (Context.current().cancellationSignal.aborted) recorded.cancelledGates += 1;
        throw error;
      }
    },
    reportStatus: async (report) => {
      const [script, recorded] = this.of(report.issue.key);
      if (script.giteaDown) throw ApplicationFailure.nonRetryable('Gitea is unreachable');
      if (script.reportDelayMs) await sleep(script.reportDelayMs);
      recorded.reports.push(report);
    },
  };
}

export function testIssue(title = 'Add a widget', overrides: Partial<IssueSnapshot> = {}): IssueSnapshot {
  const repo = uniqueName('widgets');
  const number = 1 + Math.floor(Math.random() * 9000);
  return {
    key: `acme/${repo}#${number}`,
    owner: 'acme',
    repo,
    number,
    title,
    body: 'Make a widget.\r\n\r\nIt should spin.',
    labels: [],
    state: 'open',
    assignees: ['bot'],
    ...overrides,
  };
}

/** Starts the issue's workflow the way the receiver does: signalWithStart with the `assigned` change. */
export function startAssigned(
  client: Client,
  taskQueue: string,
  issue: IssueSnapshot,
  input: Partial<IssueWorkflowInput> = {},
  dedupeKey = `assigned-${issue.key}`,
) {
  return client.workflow.signalWithStart<typeof issueWorkflow, [IssueChangedSignal]>('issueWorkflow', {
    ...issueWorkflowStartOptions(issue),
    taskQueue,
    args: [{ issue, ...input }],
    signal: issueChangedSignal,
    signalArgs: [{ dedupeKey, change: 'assigned', issue }],
  });
}

/** Waits until the issue's agent has been dispatched `count` times. */
export const untilDispatched = (recorded: Recorded, count: number) =>
  eventually(
    async () => recorded.dispatches.length,
    (n) => n === count,
  );

export async function eventually<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!accept(value)) {
    if (Date.now() > deadline) throw new Error(`condition not reached; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
    value = await probe();
  }
  return value;
}

/**
 * With RECORD_HISTORIES=1, saves the run's history for the replay test (test/fixtures/histories), exported the way
 * `temporal workflow show --output json` does, which is the JSON form `Worker.runReplayHistories` reads.
 */
export async function maybeRecordHistory(
  name: string,
  handle: WorkflowHandle,
  address = testServer().address,
): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  const runId = (await handle.describe()).runId;
  const { stdout } = await promisify(execFile)(
    testServer().cliPath,
    [
      'workflow',
      'show',
      '--address',
      address,
      '--workflow-id',
      handle.workflowId,
      '--run-id',
      runId,
      '--output',
      'json',
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const dir = join(__dirname, '..', 'fixtures', 'histories');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(JSON.parse(stdout))}\n`);
}
