import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledFailure } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createGateActivities } from '../../../src/activities/gates';
import { loadConfig } from '../../../src/config';
import { parseCoordinatorFile } from '../../../src/config-file';
import { createLogger } from '../../../src/logger';
import { isAlive, waitUntil } from '../../helpers/processes';

describe('gate activities', () => {
  let root: string;
  let workspace: string;
  const node = (script: string) => [process.execPath, '-e', script];

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'gate-activities-'));
    workspace = join(root, 'acme', 'widgets');
    mkdirSync(workspace, { recursive: true });
    // An unknown project type: what is configured runs; the other kinds are planned and report an error.
    writeFileSync(
      join(workspace, '.coordinator.json'),
      JSON.stringify({
        gates: {
          build: { command: node("console.log('src/a.ts(1,5): error TS2322: bad')") },
          test: {
            command: node("require('fs').writeFileSync('hang.pid', String(process.pid)); setInterval(() => {}, 1000)"),
          },
        },
      }),
    );
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const activities = () =>
    createGateActivities(
      { config: loadConfig({}), file: parseCoordinatorFile({ workspaces: { root } }), log: createLogger('silent') },
      { heartbeatMs: 50 },
    );

  test('planGates lists every gate kind for the issue workspace', async () => {
    const plan = await new MockActivityEnvironment().run(activities().planGates, { issueKey: 'acme/widgets#3' });
    expect(plan).toEqual(['build', 'lint', 'test', 'coverage']);
  });

  test('runGate returns the parsed result; a gate without a command is an error, never a pass', async () => {
    const env = new MockActivityEnvironment();
    const { runGate } = activities();
    const build = await env.run(runGate, { issueKey: 'acme/widgets#3', gate: 'build' as const, round: 1 });
    expect(build).toMatchObject({ gate: 'build', status: 'passed', exitCode: 0 });
    const lint = await env.run(runGate, { issueKey: 'acme/widgets#3', gate: 'lint' as const, round: 1 });
    expect(lint).toMatchObject({
      gate: 'lint',
      status: 'error',
      summary: 'no package.json or Python project file found: add one or configure the lint gate',
    });
  });

  test('runGate heartbeats while the command runs and kills it when the activity is cancelled', async () => {
    const env = new MockActivityEnvironment();
    const heartbeats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => heartbeats.push(details));
    const running = env.run(activities().runGate, { issueKey: 'acme/widgets#3', gate: 'test' as const, round: 2 });
    const pidFile = join(workspace, 'hang.pid');
    expect(await waitUntil(() => readIf(pidFile) !== undefined, 10_000)).toBe(true);
    // Beyond the one sent at the start: the command is still running and the activity keeps reporting so.
    expect(await waitUntil(() => heartbeats.length >= 4, 5000)).toBe(true);
    env.cancel();
    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
    const pid = Number(readIf(pidFile));
    expect(await waitUntil(() => !isAlive(pid), 3000)).toBe(true);
    // Each names the gate's process group, so that a retry on another worker can kill an abandoned run.
    expect(heartbeats).toEqual(heartbeats.map(() => ({ gate: 'test', round: 2, processGroup: pid, host: hostname() })));
  });

  test("a retry after the worker died kills the abandoned attempt's gate before running it again", async () => {
    const orphan = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    orphan.unref();
    const env = new MockActivityEnvironment({
      attempt: 2,
      heartbeatDetails: { gate: 'build', round: 1, processGroup: orphan.pid, host: hostname() },
    });
    const build = await env.run(activities().runGate, { issueKey: 'acme/widgets#3', gate: 'build' as const, round: 1 });
    expect(build).toMatchObject({ gate: 'build', exitCode: 0 });
    expect(await waitUntil(() => !isAlive(orphan.pid!), 3000)).toBe(true);
  });

  test('a heartbeat from another host names a process group that is not ours: nothing is killed', async () => {
    const bystander = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    bystander.unref();
    try {
      const env = new MockActivityEnvironment({
        attempt: 2,
        heartbeatDetails: { gate: 'build', round: 1, processGroup: bystander.pid, host: 'another-worker-host' },
      });
      await env.run(activities().runGate, { issueKey: 'acme/widgets#3', gate: 'build' as const, round: 1 });
      expect(isAlive(bystander.pid!)).toBe(true);
    } finally {
      process.kill(-bystander.pid!, 'SIGKILL');
    }
  });

  test('a missing workspace is a non-retryable failure', async () => {
    await expect(
      new MockActivityEnvironment().run(activities().planGates, { issueKey: 'acme/nothing#1' }),
    ).rejects.toMatchObject({ type: 'WorkspaceMissing', nonRetryable: true });
  });
});

function readIf(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8') || undefined;
  } catch {
    return undefined;
  }
}
