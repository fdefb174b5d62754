/**
 * `npm start` (`node --require tsx/cjs src/main.ts`: one process, so signals reach main() itself) as a user runs it: dev server on a SQLite file with the Web UI, worker and receiver in one process
 * tree; Ctrl-C stops everything; a restart resumes the open workflows from the file.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { getFreePort } from '../../src/temporal/dev-server';
import { testServer } from '../helpers/temporal';

const ROOT = join(__dirname, '..', '..');

interface Started {
  child: ChildProcess;
  lines: string[];
}

function startService(env: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not get ready:\n${lines.join('\n')}`)), 60_000);
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        lines.push(line);
        if (line.includes('"coordinator ready"')) {
          clearTimeout(timer);
          resolve({ child, lines });
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}:\n${lines.join('\n')}`));
    });
  });
}

function stopWithCtrlC(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
}

function processesMentioning(text: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes(text) && !line.includes('ps -eo'));
}

describe('npm start (embedded default)', () => {
  jest.setTimeout(120_000);

  it('serves the Web UI and /health, stops cleanly on Ctrl-C, and resumes open workflows on restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'coordinator-start-'));
    const dbFile = join(dataDir, 'temporal.sqlite');
    const [devPort, uiPort, receiverPort] = [await getFreePort(), await getFreePort(), await getFreePort()];
    const env = {
      TEMPORAL_CLI_PATH: testServer().cliPath,
      TEMPORAL_DB_FILE: dbFile,
      TEMPORAL_DEV_PORT: String(devPort),
      TEMPORAL_UI_PORT: String(uiPort),
      RECEIVER_PORT: String(receiverPort),
      RECEIVER_HOST: '127.0.0.1',
      TEMPORAL_ADDRESS: '',
      TEMPORAL_TASK_QUEUE: 'npm-start-test',
      LOG_LEVEL: 'info',
    };

    const first = await startService(env);
    expect((await fetch(`http://127.0.0.1:${receiverPort}/health`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${uiPort}/`)).status).toBe(200);
    expect(existsSync(dbFile)).toBe(true);

    const workflowId = 'acme/restart#1';
    const connection = await Connection.connect({ address: `127.0.0.1:${devPort}` });
    const client = new Client({ connection });
    await client.workflow.start('issueWorkflow', {
      taskQueue: 'npm-start-test',
      workflowId,
      args: [
        {
          issue: {
            key: workflowId,
            owner: 'acme',
            repo: 'restart',
            number: 1,
            title: 'Survive a restart',
            body: '',
            labels: [],
            state: 'open',
            assignees: ['bot'],
          },
        },
      ],
    });
    await connection.close();

    expect(await stopWithCtrlC(first.child)).toBe(0);
    expect(processesMentioning(dbFile)).toEqual([]);

    const second = await startService(env);
    try {
      const again = await Connection.connect({ address: `127.0.0.1:${devPort}` });
      const description = await new Client({ connection: again }).workflow.getHandle(workflowId).describe();
      expect(description.status.name).toBe('RUNNING');
      await again.close();
    } finally {
      expect(await stopWithCtrlC(second.child)).toBe(0);
    }
    expect(processesMentioning(dbFile)).toEqual([]);
  });

  it('stops at once with one line naming a bad variable', async () => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, RECEIVER_PORT: 'eighty' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^invalid configuration: RECEIVER_PORT: /)]);
  });

  it('stops the dev server it started when start-up fails later (receiver port taken)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'coordinator-start-fail-'));
    const dbFile = join(dataDir, 'temporal.sqlite');
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const receiverPort = (squatter.address() as { port: number }).port;
    try {
      const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'src/main.ts'], {
        cwd: ROOT,
        env: {
          ...process.env,
          TEMPORAL_CLI_PATH: testServer().cliPath,
          TEMPORAL_DB_FILE: dbFile,
          TEMPORAL_DEV_PORT: String(await getFreePort()),
          TEMPORAL_UI_PORT: String(await getFreePort()),
          TEMPORAL_ADDRESS: '',
          RECEIVER_HOST: '127.0.0.1',
          RECEIVER_PORT: String(receiverPort),
          TEMPORAL_TASK_QUEUE: 'npm-start-fail-test',
          RECONCILE_INTERVAL: 'off',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise((resolve) => child.once('exit', resolve));
      expect(code).toBe(1);
      expect(output).toContain('start-up failed');
      expect(output).toContain('EADDRINUSE');
      expect(processesMentioning(dbFile)).toEqual([]);
    } finally {
      squatter.close();
    }
  });
});
