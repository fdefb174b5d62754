import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../../src/gates/runner';
import { groupMembers, isAlive, waitUntil } from '../../helpers/processes';

describe('gate command runner', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gate-runner-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // A command that starts a grandchild, records its pid, and waits on it: the shape of a test runner's workers.
  const spawnsGrandchild = (pidFile: string) => ['sh', '-c', `sleep 30 & echo $! > ${pidFile}; wait`];

  test('a timeout kills the whole process group, grandchildren included', async () => {
    const pidFile = join(dir, 'timeout.pid');
    const outcome = await runCommand({ argv: spawnsGrandchild(pidFile), cwd: dir, timeoutMs: 500, killGraceMs: 300 });
    expect(outcome).toMatchObject({ reason: 'timeout', exitCode: null });
    expect(outcome.durationMs).toBeLessThan(3000);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(await waitUntil(() => !isAlive(outcome.pid!) && !isAlive(grandchild), 2000)).toBe(true);
    expect(groupMembers(outcome.pid!)).toEqual([]);
  });

  test('aborting (activity cancellation, Ctrl-C) kills the group too', async () => {
    const pidFile = join(dir, 'abort.pid');
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 300);
    const outcome = await runCommand({
      argv: spawnsGrandchild(pidFile),
      cwd: dir,
      timeoutMs: 60_000,
      signal: abort.signal,
    });
    expect(outcome.reason).toBe('cancelled');
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(await waitUntil(() => !isAlive(grandchild), 2000)).toBe(true);
    expect(groupMembers(outcome.pid!)).toEqual([]);
  });

  test('a finished command leaves no background process behind', async () => {
    const pidFile = join(dir, 'left.pid');
    const outcome = await runCommand({
      argv: ['sh', '-c', `sleep 30 > /dev/null 2>&1 & echo $! > ${pidFile}; echo done`],
      cwd: dir,
      timeoutMs: 10_000,
    });
    expect(outcome).toMatchObject({ reason: 'exited', exitCode: 0 });
    expect(outcome.tail.trim()).toBe('done');
    const background = Number(readFileSync(pidFile, 'utf8'));
    expect(await waitUntil(() => !isAlive(background), 2000)).toBe(true);
  });

  test('runs with a scrubbed environment and returns a bounded, redacted tail', async () => {
    process.env.GITEA_TOKEN = 'gitea-token-value-123';
    try {
      const outcome = await runCommand({
        argv: [
          process.execPath,
          '-e',
          "console.log(JSON.stringify(process.env)); console.log('x'.repeat(10000)); console.error('Authorization: Bearer abc.def.ghi', 'gitea-token-value-123'); process.exit(3)",
        ],
        cwd: dir,
        timeoutMs: 10_000,
        tailChars: 500,
      });
      expect(outcome).toMatchObject({ reason: 'exited', exitCode: 3 });
      const env = JSON.parse(outcome.stdout.split('\n')[0]!) as Record<string, string>;
      expect(env.GITEA_TOKEN).toBeUndefined();
      expect(env.PATH).toBe(process.env.PATH);
      expect(outcome.tail.length).toBeLessThanOrEqual(500);
      expect(outcome.tail).toContain('Authorization: [REDACTED]');
      expect(outcome.tail).not.toContain('gitea-token-value-123');
    } finally {
      delete process.env.GITEA_TOKEN;
    }
  });

  test('a missing program is a spawn error, not a pass or a crash', async () => {
    const outcome = await runCommand({ argv: ['definitely-not-installed-gate-tool'], cwd: dir, timeoutMs: 5000 });
    expect(outcome).toMatchObject({
      reason: 'spawn-error',
      exitCode: null,
      error: 'command not found: definitely-not-installed-gate-tool',
    });
  });
});
