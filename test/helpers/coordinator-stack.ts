/**
 * The whole coordinator on this machine, as the benchmarks and fault tests drive it: a Temporal dev server on a
 * SQLite file (WAL), the real receiver (in this process), workers in child processes (the real createWorker and
 * createActivities), a fake Gitea, a workspace with a trivial `command` agent and configured gates.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { z } from 'zod';
import type { gatesSchema } from '../../src/config-file';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createApp } from '../../src/receiver/app';
import { closeServer, listen } from '../../src/receiver/server';
import { getFreePort, startDevServer, type DevServer } from '../../src/temporal/dev-server';
import type { IssueStatus } from '../../src/workflows/messages';
import { STATUS_MARKER } from '../../src/domain/status-comment';
import {
  issuePayload,
  sendGiteaWebhook,
  startFakeGitea,
  type FakeComment,
  type FakeGitea,
  type FakeIssue,
} from '../fakes/gitea-server';
import { startWorkerChild, type WorkerChild } from './worker-child';

export const OWNER = 'acme';
export const REPO = 'app';
const SECRET = 'stack-webhook-secret';
const TOKEN = 'stack-gitea-token';

export interface StackOptions {
  cliPath: string;
  bundlePath: string;
  /** Gate commands per kind (operator's global gates). Default: build, lint and test `true`, coverage off. */
  gates?: z.input<typeof gatesSchema>;
  /** The `command` agent's argv. Default: a node process that exits at once. */
  agentCommand?: string[];
  /** Extra environment for the workers, e.g. ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL. */
  workerEnv?: Record<string, string>;
  /** The receiver's Temporal deadline (default 3 s, the receiver's own default). */
  receiverDeadlineMs?: number;
  taskQueue?: string;
}

export interface CoordinatorStack {
  dir: string;
  gitea: FakeGitea;
  client: Client;
  receiverUrl: string;
  taskQueue: string;
  devServer: DevServer;
  workerEnv: Record<string, string>;
  startWorker(extraEnv?: Record<string, string>): Promise<WorkerChild>;
  /** Stops the dev server (SIGTERM) and starts it again on the same port and SQLite file. */
  stopDevServer(): Promise<void>;
  startDevServerAgain(): Promise<void>;
  /** Adds the issue to the fake Gitea and delivers its signed `assigned` webhook; answers the HTTP status. */
  assign(number: number, title?: string): Promise<{ issue: FakeIssue; status: number; ms: number }>;
  status(number: number): Promise<IssueStatus>;
  /** Waits until the issue's status comment (in the fake Gitea) contains `text`; answers every status comment. */
  waitForStatusComment(number: number, text: string, timeoutMs: number): Promise<FakeComment[]>;
  waitForPhase(numbers: number[], phase: IssueStatus['phase'], timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export const issueKey = (number: number) => `${OWNER}/${REPO}#${number}`;

const NODE_NOOP = [process.execPath, '-e', '0'];
const TRUE = { command: ['true'], timeoutSeconds: 60 };
const DEFAULT_GATES: z.input<typeof gatesSchema> = { build: TRUE, lint: TRUE, test: TRUE, coverage: false };

export async function startCoordinatorStack(options: StackOptions): Promise<CoordinatorStack> {
  const dir = mkdtempSync(join(tmpdir(), 'coordinator-stack-'));
  const dbFile = join(dir, 'temporal.sqlite');
  const workspace = join(dir, 'workspace');
  mkdirSync(workspace);
  const configFile = join(dir, 'coordinator.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      agents: [
        {
          name: 'fast-agent',
          driver: 'command',
          command: options.agentCommand ?? NODE_NOOP,
          contextWindow: 1_000_000,
          capability: 'expert',
          concurrency: 100_000,
        },
      ],
      gates: options.gates ?? DEFAULT_GATES,
      repositories: [{ name: `${OWNER}/${REPO}`, workspace }],
    }),
  );
  const port = await getFreePort();
  const start = () => startDevServer({ cliPath: options.cliPath, port, dbFile, uiPort: false });
  let devServer = await start();
  const cleanups: Array<() => Promise<void>> = [async () => rmSync(dir, { recursive: true, force: true })];
  const workers: WorkerChild[] = [];
  try {
    const gitea = await startFakeGitea({ token: TOKEN });
    cleanups.unshift(() => gitea.close());
    const connection = await Connection.connect({ address: devServer.address });
    cleanups.unshift(() => connection.close());
    const client = new Client({ connection, namespace: devServer.namespace });
    const taskQueue = options.taskQueue ?? `stack-${Date.now().toString(36)}`;
    const config = loadConfig({ GITEA_WEBHOOK_SECRET: SECRET, TEMPORAL_TASK_QUEUE: taskQueue });
    const server: Server = await listen(
      createApp({
        client,
        config,
        log: createLogger('silent'),
        ...(options.receiverDeadlineMs ? { temporalDeadlineMs: options.receiverDeadlineMs } : {}),
      }),
      0,
      '127.0.0.1',
    );
    cleanups.unshift(() => closeServer(server));
    const receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/gitea`;
    const workerEnv = {
      TEMPORAL_ADDRESS: devServer.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      COORDINATOR_CONFIG_FILE: configFile,
      GITEA_URL: gitea.url,
      GITEA_TOKEN: TOKEN,
      WORKFLOW_BUNDLE: options.bundlePath,
      ANTHROPIC_API_KEY: '',
      ...options.workerEnv,
    };
    const status = (number: number) => client.workflow.getHandle(issueKey(number)).query<IssueStatus>('status');
    return {
      dir,
      gitea,
      client,
      receiverUrl,
      taskQueue,
      get devServer() {
        return devServer;
      },
      workerEnv,
      async startWorker(extraEnv = {}) {
        const worker = await startWorkerChild({ ...workerEnv, ...extraEnv });
        workers.push(worker);
        return worker;
      },
      stopDevServer: () => devServer.stop(),
      async startDevServerAgain() {
        devServer = await start();
      },
      async assign(number, title = `Add feature ${number}`) {
        const issue =
          gitea.issue({ owner: OWNER, repo: REPO, number }) ??
          gitea.addIssue({ owner: OWNER, repo: REPO, number, title, body: 'Small change.', assignees: ['bot'] });
        const started = performance.now();
        const result = await sendGiteaWebhook(receiverUrl, {
          event: 'issues',
          payload: issuePayload('assigned', issue, gitea),
          secret: SECRET,
        });
        return { issue, status: result.status, ms: performance.now() - started };
      },
      status,
      async waitForStatusComment(number, text, timeoutMs) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const comments = gitea
            .commentsOn({ owner: OWNER, repo: REPO, number })
            .filter((comment) => comment.body.startsWith(STATUS_MARKER));
          if (comments.some((comment) => comment.body.includes(text))) return comments;
          if (Date.now() > deadline) throw new Error(`no status comment on #${number} says "${text}"`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      },
      async waitForPhase(numbers, phase, timeoutMs) {
        const deadline = Date.now() + timeoutMs;
        let pending = [...numbers];
        while (pending.length > 0) {
          const phases = await Promise.all(
            pending.map((n) =>
              status(n).then(
                (s) => s.phase,
                () => 'unknown',
              ),
            ),
          );
          pending = pending.filter((_, i) => phases[i] !== phase);
          if (pending.length === 0) return;
          if (Date.now() > deadline) {
            throw new Error(`${pending.length} issue(s) not ${phase} after ${timeoutMs} ms, e.g. #${pending[0]}`);
          }
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      },
      async close() {
        for (const worker of workers) await worker.kill();
        await devServer.stop();
        for (const cleanup of cleanups) await cleanup().catch(() => undefined);
      },
    };
  } catch (error) {
    await devServer.stop();
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    throw error;
  }
}

/** Sign a delivery with the stack's webhook secret (for tests that craft their own requests). */
export const STACK_WEBHOOK_SECRET = SECRET;
