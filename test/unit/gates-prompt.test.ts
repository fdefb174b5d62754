import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_PROMPT_CHARS, renderContinuationPrompt } from '../../src/domain/continuation-prompt';
import type { GateResult, VerificationResult } from '../../src/domain/types';
import { aggregateVerification, renderGateTable } from '../../src/domain/verification';
import { scrubbedEnv } from '../../src/gates/env';
import { GateConfigError, planGates } from '../../src/gates/plan';
import { redact, secretValues } from '../../src/gates/redact';

const gate = (overrides: Partial<GateResult> & Pick<GateResult, 'gate' | 'status'>): GateResult => ({
  exitCode: overrides.status === 'passed' ? 0 : 1,
  durationMs: 1200,
  command: ['tool'],
  outputTail: '',
  summary: overrides.status,
  findings: [],
  ...overrides,
});

const verification = (gates: GateResult[], round = 2): VerificationResult =>
  aggregateVerification({
    round,
    planned: gates.map((g) => g.gate),
    results: gates,
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 5,
  });

describe('redaction', () => {
  test('masks secret env values, Authorization lines, bearer tokens, key formats and secret-named assignments', () => {
    const secrets = secretValues({ GITEA_TOKEN: 'gitea-abc-123', MY_SECRET: 's3cr3t-value', PATH: '/usr/bin' });
    const text = [
      'cloning with gitea-abc-123',
      'Authorization: token whatever',
      'curl -H "Bearer abcdefghijklmnop"',
      'key sk-ant-api03-AAAAAAAAAAAAAAAAAAAA',
      'DB_PASSWORD=hunter22 and api_key: "zzzzzzzz"',
      'value s3cr3t-value in /usr/bin',
    ].join('\n');
    const out = redact(text, secrets);
    for (const secret of [
      'gitea-abc-123',
      'token whatever',
      'abcdefghijklmnop',
      'sk-ant-api03',
      'hunter22',
      'zzzzzzzz',
      's3cr3t-value',
    ])
      expect(out).not.toContain(secret);
    expect(out).toContain('/usr/bin');
    expect(out).toContain('Authorization: [REDACTED]');
  });

  test('leaves names that merely contain a secret word alone, such as an agent reporting its token usage', () => {
    expect(redact('{"contextTokensUsed": 81234, "maxTokensPerTurn": 4096}')).toBe(
      '{"contextTokensUsed": 81234, "maxTokensPerTurn": 4096}',
    );
    expect(redact('{"accessToken": "abcd1234", "apiKey": "wxyz9876"}')).not.toMatch(/abcd1234|wxyz9876/);
  });

  test('the gate environment keeps PATH and HOME and drops coordinator secrets', () => {
    const env = scrubbedEnv({
      PATH: '/bin',
      HOME: '/h',
      LANG: 'C',
      GITEA_TOKEN: 't',
      ANTHROPIC_API_KEY: 'k',
      GITEA_WEBHOOK_SECRET: 's',
      AWS_SECRET_ACCESS_KEY: 'a',
    });
    expect(env).toMatchObject({ PATH: '/bin', HOME: '/h', LANG: 'C', CI: 'true' });
    expect(Object.keys(env).filter((name) => /TOKEN|KEY|SECRET/.test(name))).toEqual([]);
  });
});

describe('verification verdict', () => {
  test('only all-passed passes; a planned gate with no result is an error; an empty plan fails', () => {
    const ok = verification([gate({ gate: 'build', status: 'passed' }), gate({ gate: 'test', status: 'passed' })]);
    expect(ok.passed).toBe(true);
    const missing = aggregateVerification({
      round: 1,
      planned: ['build', 'test'],
      results: [gate({ gate: 'build', status: 'passed' })],
      startedAt: 'x',
      durationMs: 1,
    });
    expect(missing.passed).toBe(false);
    expect(missing.gates[1]).toMatchObject({ gate: 'test', status: 'error' });
    expect(verification([gate({ gate: 'lint', status: 'skipped' })]).passed).toBe(false);
    const empty = aggregateVerification({ round: 1, planned: [], results: [], startedAt: 'x', durationMs: 1 });
    expect(empty.passed).toBe(false);
    expect(renderGateTable(empty)).toContain('no gates are configured');
  });

  test('the gate table has a row per gate and the verdict', () => {
    const table = renderGateTable(
      verification([
        gate({ gate: 'build', status: 'passed' }),
        gate({ gate: 'test', status: 'failed', summary: '2 failing tests' }),
      ]),
    );
    expect(table).toMatch(/^build\s+PASSED\s+1\.2s\s+passed$/m);
    expect(table).toMatch(/^test\s+FAILED\s+1\.2s\s+2 failing tests$/m);
    expect(table).toContain('FAILED: 1 of 2 gates did not pass (round 2).');
  });
});

describe('continuation prompt', () => {
  const failing = verification([
    gate({ gate: 'build', status: 'passed' }),
    gate({
      gate: 'test',
      status: 'failed',
      summary: '1 failing test',
      command: ['jest', '--ci'],
      findings: [{ file: 'a.test.ts', line: 3, message: 'adds: Expected: 4 Received: 3' }],
    }),
    gate({
      gate: 'coverage',
      status: 'failed',
      summary: 'coverage 80% < 85%',
      coverage: {
        percent: 80,
        threshold: 85,
        gaps: [{ file: 'src/b.ts', percent: 50, uncoveredLines: [4, 5, 6, 10] }],
      },
    }),
    gate({
      gate: 'lint',
      status: 'timeout',
      summary: 'killed after the 5s time limit',
      outputTail: 'Authorization: Bearer abcdefghijklmnopqrst\nstill linting',
    }),
  ]);
  const prompt = renderContinuationPrompt({
    issueKey: 'acme/app#7',
    title: 'Add sums',
    verification: failing,
    round: 2,
    maxRounds: 5,
  });

  test('says it was rejected, the round of the maximum, and keeps passing gates passing', () => {
    expect(prompt).toContain('acme/app#7');
    expect(prompt).toContain('REJECTED: 3 of 4 quality gates did not pass (round 2 of 5)');
    expect(prompt).toContain('You are not done.');
    expect(prompt).toContain('3 more rounds remain');
    expect(prompt).toContain('Passing gates (keep them passing): build.');
  });

  test('names what failed, the key errors, remediation and the coverage gaps by file', () => {
    expect(prompt).toContain('## test: FAILED (`jest --ci`)');
    expect(prompt).toContain('- a.test.ts:3: adds: Expected: 4 Received: 3');
    expect(prompt).toContain('Make each failing test pass by fixing the implementation');
    expect(prompt).toContain('Coverage: 80% of lines; required: 85%.');
    expect(prompt).toContain('- src/b.ts: 50%; uncovered lines 4-6, 10');
    expect(prompt).toContain('## lint: TIMEOUT');
    expect(prompt).toContain('Find what hangs');
    expect(prompt).toContain('still linting');
    expect(prompt).not.toContain('## build');
  });

  test('never carries a secret and stays bounded however much the gates reported', () => {
    expect(prompt).not.toContain('abcdefghijklmnopqrst');
    const flood = verification(
      (['build', 'lint', 'test', 'coverage'] as const).map((kind) =>
        gate({
          gate: kind,
          status: 'failed',
          outputTail: 'x'.repeat(50_000),
          findings: Array.from({ length: 500 }, (_, i) => ({ file: `f${i}.ts`, line: i, message: 'm'.repeat(300) })),
        }),
      ),
    );
    const big = renderContinuationPrompt({
      issueKey: 'a/b#1',
      title: 't'.repeat(5000),
      verification: flood,
      round: 5,
      maxRounds: 5,
    });
    expect(big.length).toBeLessThanOrEqual(MAX_PROMPT_CHARS);
    expect(big).toContain('round 5 of 5');
    expect(big).toContain('last round');
    for (const kind of ['build', 'lint', 'test', 'coverage']) expect(big).toContain(`## ${kind}: FAILED`);
  });
});

describe('gate plan', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gate-plan-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('detects Python and Node projects and their default commands', () => {
    writeFileSync(join(dir, 'pyproject.toml'), '');
    const python = planGates(dir, { coverageThreshold: 85 });
    expect(python.project).toBe('python');
    expect(python.gates.map((g) => [g.gate, g.command[0]])).toEqual([
      ['build', 'mypy'],
      ['lint', 'ruff'],
      ['test', 'pytest'],
      ['coverage', 'pytest'],
    ]);
    writeFileSync(join(dir, 'package.json'), '{"devDependencies":{"jest":"30"}}');
    writeFileSync(join(dir, 'tsconfig.json'), '{}');
    writeFileSync(join(dir, 'eslint.config.mjs'), 'export default [];');
    const node = planGates(dir, { coverageThreshold: 85 });
    expect(node.project).toBe('node');
    expect(node.gates.map((g) => g.command.slice(0, 2))).toEqual([
      ['tsc', '--noEmit'],
      ['eslint', '--format'],
      ['jest', '--ci'],
      ['jest', '--ci'],
    ]);
  });

  test('.coordinator.json sets commands and can raise, never lower, the threshold or turn a gate off', () => {
    writeFileSync(join(dir, 'pyproject.toml'), '');
    writeFileSync(
      join(dir, '.coordinator.json'),
      JSON.stringify({ gates: { build: { command: ['pyright'], timeoutSeconds: 30 } }, coverageThreshold: 90 }),
    );
    const plan = planGates(dir, { coverageThreshold: 85, global: { lint: false } });
    expect(plan.gates.map((g) => g.gate)).toEqual(['build', 'test', 'coverage']);
    expect(plan.gates[0]).toMatchObject({ command: ['pyright'], timeoutMs: 30_000, source: 'repository-file' });
    expect(plan.coverageThreshold).toBe(90);
    writeFileSync(join(dir, '.coordinator.json'), JSON.stringify({ coverageThreshold: 10 }));
    expect(planGates(dir, { coverageThreshold: 85 }).coverageThreshold).toBe(85);
    writeFileSync(join(dir, '.coordinator.json'), JSON.stringify({ gates: { test: false } }));
    expect(() => planGates(dir, { coverageThreshold: 85 })).toThrow(GateConfigError);
    writeFileSync(join(dir, '.coordinator.json'), JSON.stringify({ gates: { test: { command: 'pytest -q' } } }));
    expect(() => planGates(dir, { coverageThreshold: 85 })).toThrow(/gates\.test\.command/);
    writeFileSync(
      join(dir, '.coordinator.json'),
      JSON.stringify({ gates: { test: { command: ['pytest'], timeout: 5 } } }),
    );
    expect(() => planGates(dir, { coverageThreshold: 85 })).toThrow(/timeout/);
    writeFileSync(
      join(dir, '.coordinator.json'),
      JSON.stringify({ gates: { coverage: { command: ['x'], report: '../../etc/passwd' } } }),
    );
    expect(() => planGates(dir, { coverageThreshold: 85 })).toThrow(/inside the workspace/);
  });

  test("the operator's repository entry wins over the workspace file", () => {
    writeFileSync(join(dir, 'pyproject.toml'), '');
    writeFileSync(join(dir, '.coordinator.json'), JSON.stringify({ gates: { test: { command: ['true'] } } }));
    const plan = planGates(dir, {
      coverageThreshold: 85,
      repository: { test: { command: ['pytest', '-x'], timeoutSeconds: 60 } },
    });
    expect(plan.gates.find((g) => g.gate === 'test')).toMatchObject({ command: ['pytest', '-x'], source: 'operator' });
  });
});
