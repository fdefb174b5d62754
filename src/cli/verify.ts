/**
 * `npx coordinator verify [dir]`: runs the quality gates on a directory with the same code the gate activity uses,
 * so agents and people can check before claiming completion. Exit code 0 only when every gate passes.
 */
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { loadCoordinatorFile } from '../config-file';
import { renderContinuationPrompt } from '../domain/continuation-prompt';
import { parseIssueKey } from '../domain/issue-key';
import { renderGateTable } from '../domain/verification';
import { findRepositoryEntry, operatorGates } from '../gates/operator';
import { planGates } from '../gates/plan';
import { runVerification } from '../gates/verify';
import type { CliCommand } from './index';

const USAGE =
  'usage: coordinator verify [dir] [--json] [--round N] [--max-rounds N] [--issue owner/repo#N] [--title TEXT]\n';

const positiveInt = (value: string | undefined, fallback: number, name: string): number => {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new Error(`--${name} must be a positive integer`);
  return number;
};

export const verifyCommand: CliCommand = {
  summary: 'run the quality gates on a directory; exit 0 only when all pass',
  async run(args) {
    let options: ReturnType<typeof parse>;
    try {
      options = parse(args);
    } catch (error) {
      process.stderr.write(`${(error as Error).message}\n${USAGE}`);
      return 2;
    }
    if (options.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    const config = loadConfig();
    const file = loadCoordinatorFile(config.configFile);
    // The operator's repository entry applies as it does in the gate activity: named by --issue, else found by its
    // workspace directory.
    const issueRef = options.issue ? parseIssueKey(options.issue) : undefined;
    const repository = findRepositoryEntry(file, {
      ...(issueRef ? { name: `${issueRef.owner}/${issueRef.repo}` } : {}),
      dir: options.dir,
    });
    const plan = planGates(options.dir, operatorGates(file, config.workflow.coverageThreshold, repository));
    const maxRounds = options.maxRounds ?? config.workflow.maxContinuationRounds;

    const abort = new AbortController();
    const onSignal = () => abort.abort();
    process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
    let result;
    try {
      result = await runVerification(plan, options.round, { signal: abort.signal });
    } finally {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    }

    const report = options.json ? process.stderr : process.stdout;
    report.write(`${plan.dir} (${plan.project} project, coverage threshold ${plan.coverageThreshold}%)\n`);
    report.write(`${renderGateTable(result)}\n`);
    if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (!result.passed) {
      const prompt = renderContinuationPrompt({
        issueKey: options.issue ?? basename(plan.dir),
        title: options.title ?? 'local verification',
        verification: result,
        round: options.round,
        maxRounds: Math.max(maxRounds, options.round),
      });
      report.write(`\n${prompt}`);
    }
    return result.passed ? 0 : 1;
  },
};

function parse(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      round: { type: 'string' },
      'max-rounds': { type: 'string' },
      issue: { type: 'string' },
      title: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (positionals.length > 1) throw new Error('at most one directory');
  return {
    dir: resolve(positionals[0] ?? '.'),
    json: values.json,
    round: positiveInt(values.round, 1, 'round'),
    maxRounds: values['max-rounds'] === undefined ? undefined : positiveInt(values['max-rounds'], 1, 'max-rounds'),
    issue: values.issue,
    title: values.title,
    help: values.help,
  };
}
