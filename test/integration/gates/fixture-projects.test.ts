/**
 * Real projects in temp dirs, checked by the real tools (tsc, ESLint, jest from this repository's node_modules,
 * pytest from the machine). One generated project per scenario, shared by its assertions.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { renderContinuationPrompt } from '../../../src/domain/continuation-prompt';
import type { GateKind, GateResult, VerificationResult } from '../../../src/domain/types';
import { planGates } from '../../../src/gates/plan';
import { runVerification } from '../../../src/gates/verify';
import { groupMembers, isAlive, waitUntil } from '../../helpers/processes';

const REPO = join(__dirname, '..', '..', '..');
const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

function project(files: Record<string, string | undefined>, nodeModules = true): string {
  const dir = mkdtempSync(join(tmpdir(), 'gate-fixture-'));
  roots.push(dir);
  if (nodeModules) symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  for (const [path, content] of Object.entries(files)) {
    if (content === undefined) continue;
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const TS_BASE: Record<string, string> = {
  'package.json': JSON.stringify({
    name: 'fixture',
    private: true,
    devDependencies: { jest: '*', typescript: '*', eslint: '*' },
    jest: {
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': '@swc/jest' },
      collectCoverageFrom: ['src/**/*.ts', '!src/**/*.test.ts'],
    },
  }),
  'tsconfig.json': JSON.stringify({
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: 'ES2022',
      module: 'commonjs',
      types: ['jest'],
      typeRoots: [join(REPO, 'node_modules', '@types')],
      skipLibCheck: true,
    },
    include: ['src'],
  }),
  'eslint.config.mjs':
    "import tseslint from 'typescript-eslint';\nexport default [{ ignores: ['coverage/'] }, ...tseslint.configs.recommended];\n",
  'src/sum.ts': 'export function sum(a: number, b: number): number {\n  return a + b;\n}\n',
  'src/sum.test.ts': "import { sum } from './sum';\n\ntest('adds', () => {\n  expect(sum(1, 2)).toBe(3);\n});\n",
};

async function verify(dir: string, only?: GateKind[], threshold = 85): Promise<VerificationResult> {
  const plan = planGates(dir, { coverageThreshold: threshold });
  if (only) plan.gates = plan.gates.filter((gate) => only.includes(gate.gate));
  return runVerification(plan, 1);
}
const gate = (result: VerificationResult, kind: GateKind) => result.gates.find((g) => g.gate === kind) as GateResult;
const prompt = (verification: VerificationResult) =>
  renderContinuationPrompt({ issueKey: 'acme/app#1', title: 'fixture', verification, round: 1, maxRounds: 3 });

describe('a passing TypeScript project, through the verify CLI', () => {
  let run: { code: number; stdout: string; stderr: string };
  beforeAll(async () => {
    const dir = project(TS_BASE);
    run = await promisify(execFile)(
      join(REPO, 'node_modules', '.bin', 'tsx'),
      [join(REPO, 'src', 'cli', 'index.ts'), 'verify', dir, '--json'],
      { cwd: REPO },
    ).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
  });

  test('exits 0 with every gate passed in the JSON and the table', () => {
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as VerificationResult;
    expect(result.passed).toBe(true);
    expect(result.gates.map((g) => [g.gate, g.status])).toEqual([
      ['build', 'passed'],
      ['lint', 'passed'],
      ['test', 'passed'],
      ['coverage', 'passed'],
    ]);
    expect(gate(result, 'coverage').coverage).toEqual({ percent: 100, threshold: 85, gaps: [] });
    expect(run.stderr).toContain('PASSED: all 4 gates passed (round 1).');
    expect(run.stderr).not.toContain('REJECTED');
  });
});

describe('a type error', () => {
  let result: VerificationResult;
  beforeAll(async () => {
    const dir = project({ ...TS_BASE, 'src/sum.ts': `${TS_BASE['src/sum.ts']}export const label: string = 42;\n` });
    result = await verify(dir);
  });

  test('fails the build gate only, with file, line and message, and the round fails', () => {
    expect(result.passed).toBe(false);
    expect(result.gates.map((g) => [g.gate, g.status])).toEqual([
      ['build', 'failed'],
      ['lint', 'passed'],
      ['test', 'passed'],
      ['coverage', 'passed'],
    ]);
    expect(gate(result, 'build').findings).toEqual([
      {
        file: 'src/sum.ts',
        line: 4,
        column: 14,
        rule: 'TS2322',
        message: "Type 'number' is not assignable to type 'string'.",
      },
    ]);
    const text = prompt(result);
    expect(text).toContain("- src/sum.ts:4:14: Type 'number' is not assignable to type 'string'. [TS2322]");
    expect(text).toContain('round 1 of 3');
  });
});

describe('a lint violation', () => {
  test('fails the lint gate with the rule and location', async () => {
    const dir = project({
      ...TS_BASE,
      'src/sum.ts': 'const unused = 1;\nexport function sum(a: number, b: number): number {\n  return a + b;\n}\n',
    });
    const result = await verify(dir, ['lint']);
    expect(result.passed).toBe(false);
    expect(gate(result, 'lint')).toMatchObject({ status: 'failed', summary: '1 lint error' });
    expect(gate(result, 'lint').findings).toEqual([
      {
        file: 'src/sum.ts',
        line: 1,
        column: 7,
        rule: '@typescript-eslint/no-unused-vars',
        message: "'unused' is assigned a value but never used.",
      },
    ]);
    expect(prompt(result)).toContain(
      "src/sum.ts:1:7: 'unused' is assigned a value but never used. [@typescript-eslint/no-unused-vars]",
    );
  });
});

describe('a failing test', () => {
  test('fails the test gate with the test name and its assertion message', async () => {
    const dir = project({
      ...TS_BASE,
      'src/sum.test.ts': "import { sum } from './sum';\n\ntest('adds', () => {\n  expect(sum(1, 2)).toBe(4);\n});\n",
    });
    const result = await verify(dir, ['test']);
    expect(gate(result, 'test')).toMatchObject({ status: 'failed', exitCode: 1, summary: '1 failing test' });
    const [finding] = gate(result, 'test').findings;
    expect(finding).toMatchObject({ file: 'src/sum.test.ts', line: 4 });
    expect(finding!.message).toMatch(/^adds: expect\(received\)\.toBe\(expected\).*Expected: 4 \| Received: 3$/);
    expect(prompt(result)).toContain('Expected: 4 | Received: 3');
  });
});

describe('a project at 80% coverage', () => {
  test('fails the coverage gate and names the file and its uncovered line', async () => {
    const dir = project({
      ...TS_BASE,
      'src/sum.ts': undefined,
      'src/sum.test.ts': undefined,
      'src/pick.ts':
        "const small = 'small';\nconst large = 'large';\nexport function pick(n: number): string {\n  if (n < 10) return small;\n  return large;\n}\n",
      'src/pick.test.ts':
        "import { pick } from './pick';\n\ntest('small numbers', () => {\n  expect(pick(1)).toBe('small');\n});\n",
    });
    const result = await verify(dir, ['coverage']);
    const coverage = gate(result, 'coverage');
    expect(coverage).toMatchObject({
      status: 'failed',
      exitCode: 0,
      summary: 'coverage 80% < 85%; 1 file below the threshold',
    });
    expect(coverage.coverage).toEqual({
      percent: 80,
      threshold: 85,
      gaps: [{ file: 'src/pick.ts', percent: 80, uncoveredLines: [5] }],
    });
    const text = prompt(result);
    expect(text).toContain('Coverage: 80% of lines; required: 85%.');
    expect(text).toContain('- src/pick.ts: 80%; uncovered lines 5');
  });
});

describe('a hanging test', () => {
  test('is killed at the timeout with its whole process group', async () => {
    const hang =
      "const { spawn, execSync } = require('child_process');\n" +
      "test('hangs', () => {\n" +
      "  const child = spawn('sleep', ['300'], { stdio: 'ignore' });\n" +
      "  const pgid = execSync('ps -o pgid= -p ' + process.pid).toString().trim();\n" +
      "  require('fs').writeFileSync('pids.json', JSON.stringify({ runner: process.pid, child: child.pid, pgid: Number(pgid) }));\n" +
      '  return new Promise(() => {});\n' +
      '}, 600000);\n';
    const dir = project({
      ...TS_BASE,
      'src/hang.test.js': hang,
      '.coordinator.json': JSON.stringify({
        gates: { test: { command: ['node_modules/.bin/jest', '--ci', '--watchman=false', 'hang'], timeoutSeconds: 4 } },
      }),
    });
    const result = await verify(dir, ['test']);
    expect(gate(result, 'test')).toMatchObject({
      status: 'timeout',
      exitCode: null,
      summary: 'killed after the 4s time limit',
    });
    expect(gate(result, 'test').durationMs).toBeLessThan(9000);
    expect(result.passed).toBe(false);
    const pids = JSON.parse(readFileSync(join(dir, 'pids.json'), 'utf8')) as Record<string, number>;
    expect(await waitUntil(() => !isAlive(pids.runner!) && !isAlive(pids.child!), 3000)).toBe(true);
    expect(groupMembers(pids.pgid!)).toEqual([]);
    expect(prompt(result)).toContain('## test: TIMEOUT');
  });
});

const installed = (tool: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

const pythonSuite = installed('pytest') ? describe : describe.skip;
if (!installed('pytest')) console.log('pytest is not on PATH: the Python fixture projects are skipped');

pythonSuite('Python projects (pytest)', () => {
  const files = {
    'pyproject.toml': '[project]\nname = "fixture"\nversion = "0.1.0"\n',
    'calc.py': 'def add(a, b):\n    return a + b\n',
  };

  test('a passing pytest suite passes the test gate', async () => {
    const dir = project(
      { ...files, 'test_calc.py': 'from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n' },
      false,
    );
    const result = await verify(dir, ['test']);
    expect(gate(result, 'test')).toMatchObject({ status: 'passed', exitCode: 0 });
  });

  test('a failing test names the test and its assertion; uninstalled tools are errors, never passes', async () => {
    const dir = project(
      { ...files, 'test_calc.py': 'from calc import add\n\n\ndef test_add():\n    assert add(2, 2) == 5\n' },
      false,
    );
    const result = await verify(dir);
    expect(result.passed).toBe(false);
    expect(gate(result, 'test').findings).toEqual([
      { file: 'test_calc.py', message: 'test_add: assert 4 == 5 | +  where 4 = add(2, 2)' },
    ]);
    for (const [kind, tool] of [
      ['build', 'mypy'],
      ['lint', 'ruff'],
    ] as const) {
      if (installed(tool)) {
        expect(gate(result, kind).status).not.toBe('error');
      } else {
        console.log(
          `${tool} is not installed (the project's setup does not install Python tools): the ${kind} gate is checked to report an error, not its findings`,
        );
        expect(gate(result, kind)).toMatchObject({ status: 'error', summary: `command not found: ${tool}` });
      }
    }
    if (!installed('coverage'))
      console.log(
        'pytest-cov/coverage.py are not installed: the Python coverage gate is checked to fail without a report',
      );
    expect(gate(result, 'coverage').status).not.toBe('passed');
  });
});
