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

/** A gate kind the project has no default command for; it still runs, as an `error` result saying why. */
export interface UnavailableGate {
  unavailable: string;
}
export type GateDefaults = Record<GateKind, DefaultGate | UnavailableGate>;

const configureIt = (what: string, gate: GateKind) => `${what}: add one or configure the ${gate} gate`;

function nodeDefaults(dir: string): GateDefaults {
  const pkg = packageJson(dir);
  const deps = { ...pkg.dependencies, ...pkg.devDependencies };
  const eslintConfig = readdirSync(dir).some((name) => /^(eslint\.config\.[cm]?[jt]s|\.eslintrc(\..+)?)$/.test(name));
  const noRunner = 'no test runner found (jest or vitest in package.json)';
  const gates: GateDefaults = {
    build: has(dir, 'tsconfig.json')
      ? { command: [nodeBin(dir, 'tsc'), '--noEmit', '--pretty', 'false'], tool: 'tsc' }
      : { unavailable: configureIt('no tsconfig.json found', 'build') },
    lint: eslintConfig
      ? { command: [nodeBin(dir, 'eslint'), '--format', 'json', '.'], tool: 'eslint' }
      : { unavailable: configureIt('no ESLint configuration found', 'lint') },
    test: { unavailable: configureIt(noRunner, 'test') },
    coverage: { unavailable: configureIt(noRunner, 'coverage') },
  };
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

function pythonDefaults(dir: string): GateDefaults {
  const pytest = pythonBin(dir, 'pytest');
  return {
    build: { command: [pythonBin(dir, 'mypy'), '.'], tool: 'mypy' },
    lint: { command: [pythonBin(dir, 'ruff'), 'check', '--output-format', 'json', '.'], tool: 'ruff' },
    test: { command: [pytest, '-q', '-rf'], tool: 'pytest' },
    coverage: { command: [pytest, '-q', '-rf', '--cov=.', '--cov-report=json:coverage.json'], tool: 'pytest' },
  };
}

/**
 * Default gate commands for the project in `dir`, for every gate kind. A kind without one (its config file is
 * missing, or the project type is unknown) is unavailable rather than absent: the agent can delete files in its
 * workspace, and that must fail the gate, never remove it. Only the operator turns a gate off.
 */
export function defaultGates(dir: string, project = detectProject(dir)): GateDefaults {
  if (project === 'node') return nodeDefaults(dir);
  if (project === 'python') return pythonDefaults(dir);
  const unknown = (gate: GateKind) => ({
    unavailable: configureIt('no package.json or Python project file found', gate),
  });
  return { build: unknown('build'), lint: unknown('lint'), test: unknown('test'), coverage: unknown('coverage') };
}

/** Which parser reads a configured command's output, guessed from the program and its arguments. */
export function toolOf(command: readonly string[]): GateTool {
  const words = command.map((word) => word.split(/[\\/]/).pop() ?? word);
  const known: GateTool[] = ['tsc', 'eslint', 'jest', 'vitest', 'mypy', 'ruff', 'pytest'];
  return known.find((tool) => words.includes(tool)) ?? 'generic';
}
