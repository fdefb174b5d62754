import { spawn } from 'node:child_process';
import { redact, secretValues } from './redact';
import { scrubbedEnv } from './env';

export interface RunOptions {
  argv: readonly string[];
  cwd: string;
  /** Hard limit; undefined: none (an activity's own timeout and cancellation bound the run). */
  timeoutMs?: number;
  /** Written to the command's stdin, which is then closed; without it stdin is /dev/null. */
  stdin?: string;
  /** Aborting it (activity cancellation, Ctrl-C) kills the command's whole process group. */
  signal?: AbortSignal;
  /** Defaults to the scrubbed environment of this process. */
  env?: Record<string, string>;
  /** Called every `tickMs` while the command runs (the activity heartbeats from here). */
  onTick?: () => void;
  /** Called once the command has started, with its pid (also its process group id). */
  onSpawn?: (pid: number) => void;
  tickMs?: number;
  /** Grace between SIGTERM and SIGKILL. */
  killGraceMs?: number;
  tailChars?: number;
}

export interface RunOutcome {
  exitCode: number | null;
  /** `spawn-error`: the command could not start (not installed, not executable). */
  reason: 'exited' | 'timeout' | 'cancelled' | 'spawn-error';
  error?: string;
  durationMs: number;
  pid?: number;
  /** Redacted stdout and stderr, each capped at `CAPTURE_LIMIT` characters, for the parsers. */
  stdout: string;
  stderr: string;
  /** Redacted tail of both streams interleaved, at most `tailChars`. */
  tail: string;
}

// eslint-disable-next-line no-control-regex -- colour codes are exactly what this removes
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const CAPTURE_LIMIT = 4 * 1024 * 1024;
export const DEFAULT_TAIL_CHARS = 4000;

class Capture {
  private text = '';
  truncated = false;
  constructor(private readonly limit: number) {}
  add(chunk: string): void {
    if (this.text.length >= this.limit) {
      this.truncated = true;
      return;
    }
    this.text += chunk.slice(0, this.limit - this.text.length);
  }
  toString(): string {
    return this.text;
  }
}

class Tail {
  private text = '';
  constructor(private readonly limit: number) {}
  add(chunk: string): void {
    this.text = (this.text + chunk).slice(-this.limit * 2);
  }
  toString(): string {
    return this.text;
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * Runs one argv (never a shell) in its own process group, so a timeout or cancellation kills everything it
 * started, grandchildren included, and a finished command leaves nothing behind either.
 */
export function runCommand(options: RunOptions): Promise<RunOutcome> {
  const started = Date.now();
  const tailChars = options.tailChars ?? DEFAULT_TAIL_CHARS;
  const secrets = secretValues();
  const clean = (text: string) => redact(text.replace(ANSI, ''), secrets);
  const [file, ...args] = options.argv;
  if (!file) return Promise.reject(new Error('empty command'));

  return new Promise<RunOutcome>((resolve) => {
    const stdout = new Capture(CAPTURE_LIMIT);
    const stderr = new Capture(CAPTURE_LIMIT);
    const tail = new Tail(tailChars);
    let reason: RunOutcome['reason'] = 'exited';
    let spawnError: string | undefined;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];

    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? scrubbedEnv(),
      detached: true,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (child.pid) options.onSpawn?.(child.pid);
    if (options.stdin !== undefined && child.stdin) {
      // A command that exits without reading its input closes the pipe: EPIPE is not its failure.
      child.stdin.on('error', () => {});
      child.stdin.end(options.stdin);
    }
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout.add(chunk), tail.add(chunk)));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr.add(chunk), tail.add(chunk)));

    const finish = (exitCode: number | null) => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      clearInterval(ticker);
      options.signal?.removeEventListener('abort', onAbort);
      if (child.pid) killGroup(child.pid, 'SIGKILL');
      const cut = (capture: Capture) => clean(capture.toString()) + (capture.truncated ? '\n[output truncated]' : '');
      resolve({
        exitCode: reason === 'exited' ? exitCode : null,
        reason,
        ...(spawnError ? { error: spawnError } : {}),
        durationMs: Date.now() - started,
        ...(child.pid ? { pid: child.pid } : {}),
        stdout: cut(stdout),
        stderr: cut(stderr),
        tail: clean(tail.toString()).slice(-tailChars),
      });
    };

    const stop = (why: 'timeout' | 'cancelled') => {
      if (settled || reason !== 'exited') return;
      reason = why;
      if (!child.pid) return;
      killGroup(child.pid, 'SIGTERM');
      timers.push(setTimeout(() => killGroup(child.pid!, 'SIGKILL'), options.killGraceMs ?? 2000).unref());
    };
    const onAbort = () => stop('cancelled');

    if (options.timeoutMs !== undefined) timers.push(setTimeout(() => stop('timeout'), options.timeoutMs));
    if (options.signal?.aborted) stop('cancelled');
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    const ticker = setInterval(() => options.onTick?.(), options.tickMs ?? 5000);

    child.on('error', (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined) {
        reason = 'spawn-error';
        spawnError = error.code === 'ENOENT' ? `command not found: ${file}` : `cannot start ${file}: ${error.message}`;
        finish(null);
      }
    });
    // 'close' waits for the pipes; a process that escaped the group could hold them open, so 'exit' caps the wait.
    child.on('close', (code) => finish(code));
    child.on('exit', (code) => {
      timers.push(setTimeout(() => finish(code), 1000).unref());
    });
  });
}
