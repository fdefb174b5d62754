import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAgentReport, runAgentCommand } from '../../../src/agents/command';
import { scrubbedEnv } from '../../../src/gates/env';

const node = process.execPath;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('command agent driver with a real child process', () => {
  let workspace: string;
  beforeEach(() => {
    workspace = mkdtempSync(join(tmpdir(), 'agent-ws-'));
  });
  afterEach(() => rmSync(workspace, { recursive: true, force: true }));

  it('runs in the workspace with the prompt on stdin; its exit and last JSON line are reported', async () => {
    const script = `
      let input = '';
      process.stdin.on('data', (c) => (input += c)).on('end', () => {
        require('fs').writeFileSync('prompt.txt', input);
        console.log('working...');
        console.log(JSON.stringify({ contextTokensUsed: 81234 }));
        console.error('failing: GITEA_TOKEN=abcd-secret-value');
        process.exit(3);
      });`;
    const result = await runAgentCommand({
      argv: [node, '-e', script],
      cwd: workspace,
      prompt: 'Fix issue #7; do not use $(rm -rf /)',
      env: scrubbedEnv(),
    });
    expect(result).toMatchObject({ reason: 'exited', exitCode: 3, contextTokensUsed: 81234 });
    expect(result.stderrTail).toContain('failing: GITEA_TOKEN=');
    expect(result.stderrTail).not.toContain('abcd-secret-value');
    expect(readFileSync(join(workspace, 'prompt.txt'), 'utf8')).toBe('Fix issue #7; do not use $(rm -rf /)');
  });

  it('heartbeats while the agent runs', async () => {
    let ticks = 0;
    await runAgentCommand({
      argv: [node, '-e', 'setTimeout(() => {}, 300)'],
      cwd: workspace,
      prompt: '',
      env: scrubbedEnv(),
      onTick: () => ticks++,
      tickMs: 50,
    });
    expect(ticks).toBeGreaterThanOrEqual(3);
  });

  it('kills the whole process group on cancellation, leaving no process behind', async () => {
    const script = `
      const { spawn } = require('child_process');
      const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      require('fs').writeFileSync('pids', JSON.stringify([process.pid, grandchild.pid]));
      process.on('SIGTERM', () => {}); // a stubborn agent: SIGKILL must follow
      setInterval(() => {}, 1000);`;
    const controller = new AbortController();
    const running = runAgentCommand({
      argv: [node, '-e', script],
      cwd: workspace,
      prompt: '',
      env: scrubbedEnv(),
      signal: controller.signal,
      killGraceMs: 200,
    });
    await waitFor(() => existsSync(join(workspace, 'pids')));
    const pids = JSON.parse(readFileSync(join(workspace, 'pids'), 'utf8')) as number[];
    expect(pids.every(alive)).toBe(true);
    controller.abort();
    const result = await running;
    expect(result.reason).toBe('cancelled');
    await waitFor(() => pids.every((pid) => !alive(pid)));
  });

  it('reports a missing executable as a spawn error', async () => {
    const result = await runAgentCommand({
      argv: ['definitely-not-an-agent-binary'],
      cwd: workspace,
      prompt: 'x',
      env: scrubbedEnv(),
    });
    expect(result).toMatchObject({ reason: 'spawn-error', error: 'command not found: definitely-not-an-agent-binary' });
  });

  it('never passes the coordinator secrets to the agent', async () => {
    process.env.GITEA_TOKEN = 'should-not-leak';
    try {
      await runAgentCommand({
        argv: [node, '-e', "require('fs').writeFileSync('env.json', JSON.stringify(process.env))"],
        cwd: workspace,
        prompt: '',
        env: scrubbedEnv(),
      });
    } finally {
      delete process.env.GITEA_TOKEN;
    }
    expect(readFileSync(join(workspace, 'env.json'), 'utf8')).not.toContain('should-not-leak');
  });
});

describe('parseAgentReport', () => {
  it('reads only a well-formed structured last line', () => {
    expect(parseAgentReport('{"contextTokensUsed": 120000}')).toEqual({ contextTokensUsed: 120000 });
    expect(parseAgentReport('{"contextTokensUsed": -1}')).toEqual({});
    expect(parseAgentReport('done!')).toEqual({});
  });
});
