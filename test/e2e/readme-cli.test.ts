/**
 * The README's `temporal` CLI lines ("Watching and steering issues"), run exactly as written (bash, the real CLI)
 * against the test dev server and a real issueWorkflow on a worker with test activities. Each line's effect is
 * checked, and every line of the README's block must be run here, so the README and this test cannot drift.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { CancelledFailure, TerminatedFailure } from '@temporalio/common';
import type { IssueSnapshot } from '../../src/domain/types';
import type { IssueWorkflowInput } from '../../src/workflows/issue-workflow';
import { statusQuery, type ClaimVerdict, type IssuePhase } from '../../src/workflows/messages';
import { eventually, Fakes, gateResult, type Script, startAssigned } from '../integration/workflow-harness';
import { testServer, uniqueName, useRunningWorker } from '../helpers/temporal';

const README = join(__dirname, '..', '..', 'README.md');
const BLOCK_MARKER = '# Each line below is run against a real worker by test/e2e/readme-cli.test.ts.';
/** The README's example repository; each scenario substitutes a unique one (ids, blockers and JSON alike). */
const EXAMPLE_REPO = /\bwidgets\b/g;

/** Every `temporal …` command of the marked block, continuation lines included, as bash would read them. */
function readmeCliCommands(markdown: string): string[] {
  const section = markdown.slice(markdown.indexOf('### Watching and steering issues'));
  const block = new RegExp(`\`\`\`sh\\n${BLOCK_MARKER.replace(/[.*]/g, '\\$&')}\\n([\\s\\S]*?)\`\`\``).exec(section);
  if (!block) throw new Error(`README.md has no sh block starting with "${BLOCK_MARKER}"`);
  const commands: string[] = [];
  for (const line of block[1]!.split('\n')) {
    if (line.startsWith('temporal ')) commands.push(line);
    else if (line.startsWith('#') || line.trim() === '') continue;
    else if (commands.length > 0) commands[commands.length - 1] += `\n${line}`;
    else throw new Error(`README.md CLI block: a line outside any command: ${line}`);
  }
  return commands;
}

describe("the README's temporal CLI lines", () => {
  const server = testServer();
  const commands = readmeCliCommands(readFileSync(README, 'utf8'));
  const unrun = new Set(commands);
  const fakes = new Fakes();
  const env = useRunningWorker(fakes.activities);

  /** The one README command that contains every fragment. */
  function readmeLine(...fragments: string[]): string {
    const matches = commands.filter((command) => fragments.every((fragment) => command.includes(fragment)));
    if (matches.length !== 1) {
      throw new Error(`README.md: ${matches.length} CLI lines contain ${fragments.join(' + ')}, expected one`);
    }
    unrun.delete(matches[0]!);
    return matches[0]!;
  }

  /** Runs a README line as a user would paste it into bash, with `temporal` and its address from the test server. */
  async function run(command: string, repo: string): Promise<string> {
    const { stdout } = await promisify(execFile)('bash', ['-c', command.replace(EXAMPLE_REPO, repo)], {
      env: {
        ...process.env,
        PATH: `${dirname(server.cliPath)}:${process.env.PATH ?? ''}`,
        TEMPORAL_ADDRESS: server.address,
        TEMPORAL_NAMESPACE: server.namespace,
      },
      timeout: 30_000,
    });
    return stdout;
  }

  /** The README's example issue `acme/widgets#42`, in a repository of its own. */
  function exampleIssue(): IssueSnapshot {
    const repo = uniqueName('widgets');
    return {
      key: `acme/${repo}#42`,
      owner: 'acme',
      repo,
      number: 42,
      title: 'Add a widget',
      body: 'Make a widget.',
      labels: [],
      state: 'open',
      assignees: ['bot'],
    };
  }

  async function start(issue: IssueSnapshot, script: Script, input: Partial<IssueWorkflowInput> = {}) {
    const recorded = fakes.script(issue.key, {
      assignment: { ok: true, agent: 'claude-code', budgetTokens: 50_000, reason: 'fits' },
      ...script,
    });
    const handle = await startAssigned(env.ctx.client, env.worker.options.taskQueue, issue, {
      blockerRecheckInterval: '1 hour',
      ...input,
    });
    return { handle, recorded };
  }

  const untilPhase = (handle: WorkflowHandle, phase: IssuePhase) =>
    eventually(
      () => handle.query(statusQuery),
      (status) => status.phase === phase,
    );
  /** Visibility (what `list` reads) trails the workflow's own state by a moment. */
  const untilListed = (command: string, repo: string, issueKey: string) =>
    eventually(
      () => run(command, repo),
      (stdout) => stdout.includes(issueKey),
    );
  const currentDetails = async (handle: WorkflowHandle) =>
    (await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata')).currentDetails ?? '';

  it('lists, queries, signals, claims, resumes and closes one issue', async () => {
    const issue = exampleIssue();
    const { repo } = issue;
    const blocker = `acme/${repo}#41`;
    const { handle } = await start(
      issue,
      { blockedBy: [blocker], gate: async ({ gate }) => gateResult(gate, gate === 'lint' ? 'failed' : 'passed') },
      { maxRounds: 1 },
    );

    await untilPhase(handle, 'blocked');
    await untilListed(readmeLine('workflow list', 'BlockedBy'), repo, issue.key);
    const status = await run(readmeLine('workflow query', '--name status'), repo);
    expect(status).toMatch(/"phase":\s*"blocked"/);
    expect(status).toContain(blocker);

    await run(readmeLine('--name blockerClosed'), repo);
    await untilPhase(handle, 'working');
    await untilListed(readmeLine('workflow list', 'IssuePhase'), repo, issue.key);
    await untilListed(readmeLine('workflow list', 'AssignedAgent'), repo, issue.key);

    await run(readmeLine('--name contextUsage'), repo);
    await eventually(
      () => currentDetails(handle),
      (details) => details.includes('Agent context: 120000 of 200000 tokens (60%)'),
    );

    // maxRounds 1 and a failing lint gate: the claim's verdict escalates.
    const verdict = await run(readmeLine('update execute', '--name claimCompletion'), repo);
    const { result } = JSON.parse(verdict) as { result: ClaimVerdict };
    expect(result.outcome).toBe('escalated');
    expect(result.verification.gates.map((g) => [g.gate, g.status])).toEqual([
      ['build', 'passed'],
      ['lint', 'failed'],
      ['test', 'passed'],
    ]);
    expect((await untilPhase(handle, 'escalated')).note).toContain('after 1 of 1 rounds');

    await run(readmeLine('--name resume'), repo);
    const resumed = await untilPhase(handle, 'working');
    expect(resumed).toMatchObject({ round: 2, maxRounds: 3 });
    expect(resumed.note).toBeUndefined();

    await run(readmeLine('--name issueChanged'), repo);
    await untilPhase(handle, 'paused');

    const description = await run(readmeLine('workflow describe'), repo);
    expect(description).toContain(`StaticSummary  "${issue.key}: Add a widget"`);
    expect(description).toMatch(/IssuePhase:.*paused/);
    const details = await run(readmeLine('workflow metadata'), repo);
    expect(details).toContain('Phase: **paused**');
    expect(details).toContain('Round: 2 of 3');
    expect(details).toContain('| lint | failed | 1.2 s | lint: 2 problems |');
    const history = await run(readmeLine('workflow show'), repo);
    expect(history).toContain('WorkflowExecutionUpdateCompleted');
    expect(history).toContain('WorkflowExecutionSignaled');

    await run(readmeLine('--name issueClosed'), repo);
    expect(await handle.result()).toMatchObject({ phase: 'closed', issueKey: issue.key });
  });

  it('cancels an issue: the workflow cleans up, reports and ends as Canceled', async () => {
    const issue = exampleIssue();
    const { handle, recorded } = await start(issue, {});
    await untilPhase(handle, 'working');
    await run(readmeLine('workflow cancel'), issue.repo);
    const failure = await handle.result().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect(recorded.reports.at(-1)).toMatchObject({ phase: 'cancelled' });
  });

  it('terminates an issue: the workflow ends at once as Terminated, with the reason', async () => {
    const issue = exampleIssue();
    const { handle } = await start(issue, {});
    await untilPhase(handle, 'working');
    await run(readmeLine('workflow terminate'), issue.repo);
    const failure = await handle.result().catch((error: unknown) => error);
    expect((failure as WorkflowFailedError).cause).toBeInstanceOf(TerminatedFailure);
    expect((failure as WorkflowFailedError).cause?.message).toBe('opened by mistake');
    expect((await handle.describe()).status.name).toBe('TERMINATED');
  });

  it('ran every line of the README block', () => {
    expect(commands.length).toBeGreaterThanOrEqual(14);
    expect([...unrun]).toEqual([]);
  });
});
