import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../logger';

const execFileAsync = promisify(execFile);

/** The one Temporal CLI release that `go install` can build (later tags cannot). */
export const TEMPORAL_CLI_VERSION = '1.5.1';
const CLI_MODULE = `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`;
const VERSION_LDFLAG = `-X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`;
/** Oldest server that has everything the workflow uses (Updates, user metadata, current details). */
const MIN_SERVER_VERSION = [1, 27, 0] as const;
const BUILD_TIMEOUT_MS = 20 * 60_000;

export interface TemporalCli {
  path: string;
  source: 'TEMPORAL_CLI_PATH' | 'PATH' | 'cache' | 'built';
  version: string;
  serverVersion: string;
}

export class TemporalCliError extends Error {
  override name = 'TemporalCliError';
}

export function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir)
      throw new TemporalCliError('cannot find the project root (no package.json above ' + __dirname + ')');
    dir = parent;
  }
  return dir;
}

export function cachedCliPath(root = projectRoot()): string {
  return join(root, '.temporal', 'bin', 'temporal');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name: string, pathEnv = process.env.PATH ?? ''): string | undefined {
  return pathEnv
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, name))
    .find(isExecutable);
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Parses `temporal version 1.5.1 (Server 1.29.1, UI 2.42.1)`. */
export function parseCliVersion(output: string): { version: string; serverVersion: string } | undefined {
  const match = /temporal version (\S+) \(Server (\d+\.\d+\.\d+)[^,]*, UI [^)]+\)/.exec(output);
  return match ? { version: match[1]!, serverVersion: match[2]! } : undefined;
}

async function readVersion(path: string): Promise<{ version: string; serverVersion: string }> {
  const { stdout } = await execFileAsync(path, ['--version'], { timeout: 30_000 });
  const parsed = parseCliVersion(stdout);
  if (!parsed) throw new TemporalCliError(`${path} does not look like the Temporal CLI (it printed: ${stdout.trim()})`);
  const server = parsed.serverVersion.split('.').map(Number);
  if (compareVersions(server, MIN_SERVER_VERSION) < 0) {
    throw new TemporalCliError(
      `${path} embeds Temporal Server ${parsed.serverVersion}; the coordinator needs ${MIN_SERVER_VERSION.join('.')} or later`,
    );
  }
  return parsed;
}

async function buildWithGo(target: string, log?: Logger): Promise<void> {
  const go = findOnPath('go');
  if (!go) throw new TemporalCliError('Go is not installed');
  const staging = join(dirname(target), `.build-${process.pid}`);
  mkdirSync(staging, { recursive: true });
  log?.info({ module: CLI_MODULE }, 'building the Temporal CLI with go install (first run only; takes minutes)');
  try {
    await execFileAsync(go, ['install', '-ldflags', VERSION_LDFLAG, CLI_MODULE], {
      env: { ...process.env, GOBIN: staging, CGO_ENABLED: '0' },
      timeout: BUILD_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
    });
    // Rename is atomic: concurrent builders (tests and `npm start`) never see a half-written binary.
    renameSync(join(staging, 'temporal'), target);
  } catch (error) {
    const detail = error instanceof Error ? ((error as { stderr?: string }).stderr ?? error.message) : String(error);
    throw new TemporalCliError(`go install ${CLI_MODULE} failed: ${detail.trim().split('\n').slice(-5).join('\n')}`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Finds a usable Temporal CLI: `TEMPORAL_CLI_PATH`, else `temporal` on PATH, else the project's cached build,
 * else builds one with Go into that cache.
 */
export async function ensureTemporalCli(
  options: { cliPath?: string; root?: string; log?: Logger } = {},
): Promise<TemporalCli> {
  const { cliPath, log } = options;
  if (cliPath) {
    const path = resolve(cliPath);
    if (!isExecutable(path)) throw new TemporalCliError(`TEMPORAL_CLI_PATH=${cliPath} is not an executable file`);
    return { path, source: 'TEMPORAL_CLI_PATH', ...(await readVersion(path)) };
  }
  const onPath = findOnPath('temporal');
  if (onPath) return { path: onPath, source: 'PATH', ...(await readVersion(onPath)) };

  const cached = cachedCliPath(options.root);
  if (isExecutable(cached)) return { path: cached, source: 'cache', ...(await readVersion(cached)) };

  mkdirSync(dirname(cached), { recursive: true });
  try {
    await buildWithGo(cached, log);
  } catch (error) {
    throw new TemporalCliError(
      `no Temporal CLI found (${(error as Error).message}). Provide one of: ` +
        `TEMPORAL_CLI_PATH=/path/to/temporal; a \`temporal\` binary on PATH; or Go, so that ` +
        `\`go install ${CLI_MODULE}\` can build it into ${cached}`,
    );
  }
  return { path: cached, source: 'built', ...(await readVersion(cached)) };
}
