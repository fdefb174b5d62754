/**
 * `npx coordinator claim [issue-key] [--agent NAME] [--note TEXT]`: the stop-hook bridge. It performs the
 * completion-claim Update on the issue's workflow, waits for the gates' verdict, and prints it as a Claude Code
 * Stop hook answer, so the session cannot stop while gates fail. The issue key and agent default to
 * COORDINATOR_ISSUE_KEY and COORDINATOR_AGENT, which the `command` driver sets for the agent.
 *
 * Reads only TEMPORAL_ADDRESS (default 127.0.0.1:7233), TEMPORAL_NAMESPACE (default `default`) and the TLS variables
 * (TEMPORAL_TLS, TEMPORAL_TLS_CERT_PATH, TEMPORAL_TLS_KEY_PATH, TEMPORAL_API_KEY), never a .env file: it runs in the
 * agent's workspace, whose files the agent controls.
 */
import { parseArgs } from 'node:util';
import { Connection, Client } from '@temporalio/client';
import { ConfigError, loadTemporalSecurity, type TemporalSecurity } from '../config';
import { formatIssueKey, parseIssueKey } from '../domain/issue-key';
import { stopHookOutput } from '../domain/stop-hook';
import { connectionOptions } from '../temporal/connection';
import { claimCompletionUpdate, type CompletionClaim } from '../workflows/messages';
import type { CliCommand } from './index';

const USAGE = 'usage: coordinator claim [owner/repo#N] [--agent NAME] [--note TEXT]\n';

export interface ClaimOptions {
  issueKey: string;
  claim: CompletionClaim;
  address: string;
  namespace: string;
  security: TemporalSecurity;
}

export interface ClaimIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export function parseClaimArgs(args: string[], env: NodeJS.ProcessEnv): ClaimOptions | string {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { agent: { type: 'string' }, note: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    return (error as Error).message;
  }
  if (parsed.values.help) return '';
  if (parsed.positionals.length > 1) return 'one issue key at most';
  const raw = parsed.positionals[0] ?? env.COORDINATOR_ISSUE_KEY;
  if (!raw) return 'an issue key is needed (argument or COORDINATOR_ISSUE_KEY)';
  const ref = parseIssueKey(raw);
  if (!ref) return `not an issue key: ${raw} (expected owner/repo#N)`;
  const agent = parsed.values.agent ?? env.COORDINATOR_AGENT;
  let security: TemporalSecurity;
  try {
    security = loadTemporalSecurity(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return {
    issueKey: formatIssueKey(ref),
    claim: { ...(agent ? { agent } : {}), ...(parsed.values.note ? { note: parsed.values.note } : {}) },
    address: env.TEMPORAL_ADDRESS?.trim() || '127.0.0.1:7233',
    namespace: env.TEMPORAL_NAMESPACE?.trim() || 'default',
    security,
  };
}

/** Performs the claim; exit code 1 (a non-blocking hook error) when it cannot be made. */
export async function runClaim(options: ClaimOptions, io: ClaimIo): Promise<number> {
  let connection: Connection | undefined;
  try {
    const endpoint = { address: options.address, security: options.security };
    connection = await Connection.connect({ ...connectionOptions(endpoint), connectTimeout: '5s' });
    const client = new Client({ connection, namespace: options.namespace });
    const verdict = await client.workflow
      .getHandle(options.issueKey)
      .executeUpdate(claimCompletionUpdate, { args: [options.claim] });
    const output = stopHookOutput(options.issueKey, verdict);
    io.stdout(output.stdout);
    io.stderr(output.stderr);
    return output.exitCode;
  } catch (error) {
    io.stderr(`coordinator claim ${options.issueKey} failed: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await connection?.close();
  }
}

export const claimCommand: CliCommand = {
  summary: 'claim completion of an issue and print the verdict as a Claude Code Stop hook answer',
  async run(args) {
    const options = parseClaimArgs(args, process.env);
    if (typeof options === 'string') {
      process.stderr.write(options ? `${options}\n${USAGE}` : USAGE);
      return options ? 2 : 0;
    }
    return runClaim(options, {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
    });
  },
};
