/**
 * `coordinator verify [dir]` in process, through the CLI's own dispatcher: what a person or an agent sees before
 * claiming (the gate table, the continuation prompt, `--json`) and the exit codes scripts rely on.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli';

const node = (script: string) => ({ command: [process.execPath, '-e', script] });

function project(gates: Record<string, { command: string[] }>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cli-verify-'));
  writeFileSync(join(dir, '.coordinator.json'), JSON.stringify({ gates }));
  dirs.push(dir);
  return dir;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await runCli(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

// Every gate kind is planned, so a passing project configures all four; coverage writes a fresh 100% report.
const fullCoverage = "require('fs').writeFileSync('lcov.info', 'SF:a.js\\nDA:1,1\\nend_of_record\\n')";
const passing = () => project({ build: node('0'), lint: node('0'), test: node('0'), coverage: node(fullCoverage) });

test('every gate passing: exit 0 and the gate table on stdout', async () => {
  const { code, stdout } = await run(['verify', passing()]);
  expect(code).toBe(0);
  expect(stdout).toMatch(/unknown project, coverage threshold \d+%/);
  for (const gate of ['build', 'lint', 'test', 'coverage']) expect(stdout).toMatch(new RegExp(`${gate}\\s+PASSED`));
  expect(stdout).not.toContain('rejected');
});

test('a failing gate: exit 1, the table and the continuation prompt the agent would get', async () => {
  const dir = project({
    build: node('0'),
    test: node("console.error('FAIL src/widget.test.ts: spins'); process.exit(1)"),
  });
  const { code, stdout } = await run(['verify', dir, '--round', '2', '--max-rounds', '3', '--issue', 'acme/app#9']);
  expect(code).toBe(1);
  expect(stdout).toMatch(/test\s+FAILED/);
  expect(stdout).toContain('acme/app#9');
  expect(stdout).toMatch(/round 2 of 3/i);
});

test('--json: the VerificationResult alone on stdout, the table on stderr', async () => {
  const { code, stdout, stderr } = await run(['verify', passing(), '--json']);
  expect(code).toBe(0);
  const result = JSON.parse(stdout) as { passed: boolean; gates: { gate: string; status: string }[] };
  expect(result.passed).toBe(true);
  expect(result.gates.map((gate) => gate.status)).toEqual(['passed', 'passed', 'passed', 'passed']);
  expect(stderr).toMatch(/build\s+PASSED/);
});

test.each([
  [['verify', '--round', '0'], /--round must be a positive integer/],
  [['verify', 'one', 'two'], /at most one directory/],
  [['verify', '--colour'], /Unknown option/],
])('bad usage %j: exit 2 with the reason and the usage', async (argv, reason) => {
  const { code, stderr } = await run(argv);
  expect(code).toBe(2);
  expect(stderr).toMatch(reason);
  expect(stderr).toContain('usage: coordinator verify');
});

test('coordinator --help lists the commands; an unknown command exits 2', async () => {
  const help = await run(['--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/claim[\s\S]*setup[\s\S]*verify/);
  const unknown = await run(['frobnicate']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('unknown command: frobnicate');
  expect((await run(['verify', '--help'])).stdout).toContain('usage: coordinator verify');
});
