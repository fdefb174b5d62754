import { spawn } from 'node:child_process';
import { z } from 'zod';
import { redact } from '../gates/redact';

/**
 * The `command` agent driver's process runner: the configured argv (never a shell) runs in the workspace with the
 * prompt on stdin, in its own process group, so cancellation kills the agent and everything it started.
 */
export interface AgentCommandOptions {
  argv: readonly string[];
  cwd: string;
  prompt: string;
  env: Record<string, string>;
  /** Aborting it kills the whole process group (SIGTERM, then SIGKILL after `killGraceMs`). */
  signal?: AbortSignal;
  /** Hard limit; undefined: none (the activity's own timeout and cancellation bound the run). */
  timeoutMs?: number;
  /** Called every `tickMs` while the agent runs: the activity heartbeats from here. */
  onTick?: () => void;
  tickMs?: number;
  killGraceMs?: number;
}

export interface AgentCommandResult {
  reason: 'exited' | 'cancelled' | 'timeout' | 'spawn-error';
  exitCode: number | null;
  error?: string;
  durationMs: number;
  /** From the structured last line of stdout, when the agent printed one. */
  contextTokensUsed?: number;
  /** The redacted end of the agent's stderr, for the operator when it failed. */
  stderrTail: string;
}

/** Only the last stdout line is kept: it is where an agent may put its structured report. */
const LAST_LINE_LIMIT = 64 * 1024;
const STDERR_TAIL = 1000;

const agentReportSchema = z.object({ contextTokensUsed: z.number().int().nonnegative() });

/** The optional structured report: a last stdout line like `{"contextTokensUsed": 81234}`. */
export function parseAgentReport(lastLine: string): { contextTokensUsed?: number } {
  try {
    const parsed = agentReportSchema.safeParse(JSON.parse(lastLine));
    return parsed.success ? { contextTokensUsed: parsed.data.contextTokensUsed } : {};
  } catch {
    return {};
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

export function runAgentCommand(options: AgentCommandOptions): Promise<AgentCommandResult> {
  const started = Date.now();
  const [file, ...args] = options.argv;
  if (!file) return Promise.reject(new Error('empty agent command'));

  return new Promise((resolve) => {
    let reason: AgentCommandResult['reason'] = 'exited';
    let spawnError: string | undefined;
    let settled = false;
    let stdoutEnd = '';
    const timers: NodeJS.Timeout[] = [];

    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderrEnd = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderrEnd = (stderrEnd + chunk).slice(-STDERR_TAIL * 4);
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdoutEnd = (stdoutEnd + chunk).slice(-LAST_LINE_LIMIT);
    });
    // An agent that exits without reading its prompt closes the pipe: EPIPE is not our failure.
    child.stdin.on('error', () => {});
    child.stdin.end(options.prompt);

    const ticker = setInterval(() => options.onTick?.(), options.tickMs ?? 10_000);
    const finish = (exitCode: number | null) => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      clearInterval(ticker);
      options.signal?.removeEventListener('abort', onAbort);
      // The agent is done; anything it left running in its group goes with it.
      if (child.pid) killGroup(child.pid, 'SIGKILL');
      const lastLine = stdoutEnd.trimEnd().split('\n').pop() ?? '';
      resolve({
        reason,
        exitCode: reason === 'exited' ? exitCode : null,
        ...(spawnError ? { error: spawnError } : {}),
        durationMs: Date.now() - started,
        ...parseAgentReport(lastLine),
        stderrTail: redact(stderrEnd).slice(-STDERR_TAIL),
      });
    };
    const stop = (why: 'cancelled' | 'timeout') => {
      if (settled || reason !== 'exited' || !child.pid) return;
      reason = why;
      killGroup(child.pid, 'SIGTERM');
      timers.push(setTimeout(() => killGroup(child.pid!, 'SIGKILL'), options.killGraceMs ?? 5000).unref());
    };
    const onAbort = () => stop('cancelled');

    if (options.timeoutMs !== undefined) timers.push(setTimeout(() => stop('timeout'), options.timeoutMs));
    if (options.signal?.aborted) stop('cancelled');
    else options.signal?.addEventListener('abort', onAbort, { once: true });

    child.on('error', (error: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return;
      reason = 'spawn-error';
      spawnError = error.code === 'ENOENT' ? `command not found: ${file}` : `cannot start ${file}: ${error.message}`;
      finish(null);
    });
    child.on('close', (code) => finish(code));
    // A grandchild that escaped the group could hold stdout open: 'exit' caps the wait for 'close'.
    child.on('exit', (code) => timers.push(setTimeout(() => finish(code), 1000).unref()));
  });
}
