import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GateKind } from '../domain/types';

export type ProjectKind = 'node' | 'python' | 'unknown';

export interface DefaultGate {
  command: string[];
  /** Which parser reads its output. */
  tool: GateTool;
}
export type GateTool = 'tsc' | 'eslint' | 'jest' | 'vitest' | 'mypy' | 'ruff' | 'pytest' | 'generic';

const has = (dir: string, ...names: string[]) => names.some((name) => existsSync(join(dir, name)));

export function detectProject(dir: string): ProjectKind {
  if (has(dir, 'package.json')) return 'node';
  if (has(dir, 'pyproject.toml', 'setup.py', 'setup.cfg', 'requirements.txt', 'pytest.ini', 'tox.ini')) return 'python';
  return 'unknown';
}

function packageJson(dir: string): { dependencies?: object; devDependencies?: object } {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as object;
  } catch {
    return {};
  }
}

/** The workspace's own copy of a tool when it has one, else whatever PATH finds. */
function nodeBin(dir: string, tool: string): string {
  const local = join('node_modules', '.bin', tool);
  return existsSync(join(dir, local)) ? local : tool;
}

function nodeDefaults(dir: string): Partial<Record<GateKind, DefaultGate>> {
  const pkg = packageJson(dir);
  const deps = { ...pkg.dependencies, ...pkg.devDependencies };
  const gates: Partial<Record<GateKind, DefaultGate>> = {};
  if (has(dir, 'tsconfig.json'))
    gates.build = { command: [nodeBin(dir, 'tsc'), '--noEmit', '--pretty', 'false'], tool: 'tsc' };
  const eslintConfig = readdirSync(dir).some((name) => /^(eslint\.config\.[cm]?[jt]s|\.eslintrc(\..+)?)$/.test(name));
  if (eslintConfig) gates.lint = { command: [nodeBin(dir, 'eslint'), '--format', 'json', '.'], tool: 'eslint' };
  if ('vitest' in deps) {
    const vitest = nodeBin(dir, 'vitest');
    gates.test = { command: [vitest, 'run'], tool: 'vitest' };
    gates.coverage = {
      command: [vitest, 'run', '--coverage', '--coverage.reporter=json-summary', '--coverage.reporter=lcov'],
      tool: 'vitest',
    };
  } else if ('jest' in deps || existsSync(join(dir, 'node_modules', '.bin', 'jest'))) {
    const jest = nodeBin(dir, 'jest');
    gates.test = { command: [jest, '--ci', '--watchman=false'], tool: 'jest' };
    gates.coverage = {
      command: [
        jest,
        '--ci',
        '--watchman=false',
        '--coverage',
        '--coverageReporters=json-summary',
        '--coverageReporters=lcov',
      ],
      tool: 'jest',
    };
  }
  return gates;
}

/** The project's virtualenv copy of a tool when it has one, else whatever PATH finds. */
function pythonBin(dir: string, tool: string): string {
  const local = ['.venv', 'venv'].map((venv) => join(venv, 'bin', tool)).find((path) => existsSync(join(dir, path)));
  return local ?? tool;
}

function pythonDefaults(dir: string): Partial<Record<GateKind, DefaultGate>> {
  const pytest = pythonBin(dir, 'pytest');
  return {
    build: { command: [pythonBin(dir, 'mypy'), '.'], tool: 'mypy' },
    lint: { command: [pythonBin(dir, 'ruff'), 'check', '--output-format', 'json', '.'], tool: 'ruff' },
    test: { command: [pytest, '-q', '-rf'], tool: 'pytest' },
    coverage: { command: [pytest, '-q', '-rf', '--cov=.', '--cov-report=json:coverage.json'], tool: 'pytest' },
  };
}

/** Default gate commands for the project in `dir`; an unknown project has none (configure them). */
export function defaultGates(dir: string, project = detectProject(dir)): Partial<Record<GateKind, DefaultGate>> {
  if (project === 'node') return nodeDefaults(dir);
  if (project === 'python') return pythonDefaults(dir);
  return {};
}

/** Which parser reads a configured command's output, guessed from the program and its arguments. */
export function toolOf(command: readonly string[]): GateTool {
  const words = command.map((word) => word.split(/[\\/]/).pop() ?? word);
  const known: GateTool[] = ['tsc', 'eslint', 'jest', 'vitest', 'mypy', 'ruff', 'pytest'];
  return known.find((tool) => words.includes(tool)) ?? 'generic';
}
