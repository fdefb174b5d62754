import { z } from 'zod';
import { runCommand } from '../gates/runner';

/**
 * The `command` agent driver's process runner: the configured argv (never a shell) runs in the workspace with the
 * prompt on stdin, in its own process group (the gates' runner), so cancellation kills the agent and everything
 * it started.
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
  /** Called with the agent's pid, which is also its process group id, as soon as it has started. */
  onSpawn?: (pid: number) => void;
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

export async function runAgentCommand(options: AgentCommandOptions): Promise<AgentCommandResult> {
  if (options.argv.length === 0) throw new Error('empty agent command');
  const outcome = await runCommand({
    argv: options.argv,
    cwd: options.cwd,
    env: options.env,
    stdin: options.prompt,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    onTick: options.onTick,
    onSpawn: options.onSpawn,
    tickMs: options.tickMs ?? 10_000,
    killGraceMs: options.killGraceMs ?? 5000,
  });
  const lastLine = outcome.stdout.trimEnd().split('\n').pop() ?? '';
  return {
    reason: outcome.reason,
    exitCode: outcome.exitCode,
    ...(outcome.error ? { error: outcome.error } : {}),
    durationMs: outcome.durationMs,
    ...parseAgentReport(lastLine),
    stderrTail: outcome.stderr.slice(-STDERR_TAIL),
  };
}
