/**
 * Who decides the gates: the operator's COORDINATOR_CONFIG_FILE outranks the agent-writable `.coordinator.json`,
 * and a gate kind never disappears because the agent deleted the file its default needs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCoordinatorFile } from '../../../src/config-file';
import type { GateKind } from '../../../src/domain/types';
import { GateConfigError, planGates, type OperatorGates } from '../../../src/gates/plan';
import { runVerification } from '../../../src/gates/verify';

const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

function workspace(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gate-plan-'));
  roots.push(dir);
  for (const [name, content] of Object.entries(files))
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

const node = (code: number) => [process.execPath, '-e', `process.exit(${code})`];
const command = (argv: string[], timeoutSeconds = 60) => ({ command: argv, timeoutSeconds });
const operator = (gates: OperatorGates['global'], extra: Partial<OperatorGates> = {}): OperatorGates => ({
  global: gates,
  coverageThreshold: 85,
  ...extra,
});
const statuses = (result: { gates: { gate: GateKind; status: string }[] }) =>
  Object.fromEntries(result.gates.map((gate) => [gate.gate, gate.status]));

describe('the operator outranks the workspace .coordinator.json', () => {
  const everyGate = {
    build: command(node(0)),
    lint: command(node(0)),
    test: command(node(1)),
    coverage: false,
  } as const;

  test("a .coordinator.json that replaces the operator's failing global test gate with `true` still fails", async () => {
    const dir = workspace({ 'package.json': {}, '.coordinator.json': { gates: { test: command(['true']) } } });
    const plan = planGates(dir, operator(everyGate));
    expect(plan.gates.find((gate) => gate.gate === 'test')).toMatchObject({ command: node(1), source: 'operator' });
    const result = await runVerification(plan, 1);
    expect(result.passed).toBe(false);
    expect(statuses(result)).toEqual({ build: 'passed', lint: 'passed', test: 'failed' });
  });

  test("the operator's repositories[].gates outranks its global gates, and the repository file outranks neither", () => {
    const dir = workspace({ 'package.json': {}, '.coordinator.json': { gates: { build: command(['true']) } } });
    const plan = planGates(dir, operator({ ...everyGate, build: false }, { repository: { build: command(node(2)) } }));
    expect(plan.gates.find((gate) => gate.gate === 'build')).toMatchObject({ command: node(2), source: 'operator' });
  });

  test('the repository file fills in only the gates the operator left unconfigured', () => {
    const dir = workspace({
      'package.json': {},
      '.coordinator.json': { gates: { lint: command(['npm', 'run', 'lint']), test: command(['true']) } },
    });
    const plan = planGates(dir, operator({ test: command(node(1)) }));
    const sources = Object.fromEntries(plan.gates.map((gate) => [gate.gate, [gate.source, gate.command]]));
    expect(sources.lint).toEqual(['repository-file', ['npm', 'run', 'lint']]);
    expect(sources.test).toEqual(['operator', node(1)]);
  });

  test('the repository file may raise the coverage threshold, never lower it', () => {
    const lower = workspace({ 'package.json': {}, '.coordinator.json': { coverageThreshold: 10 } });
    const higher = workspace({ 'package.json': {}, '.coordinator.json': { coverageThreshold: 95 } });
    expect(planGates(lower, operator({})).coverageThreshold).toBe(85);
    expect(planGates(higher, operator({})).coverageThreshold).toBe(95);
  });

  test('the repository file cannot turn a gate off', () => {
    const dir = workspace({ 'package.json': {}, '.coordinator.json': { gates: { lint: false } } });
    expect(() => planGates(dir, operator({}))).toThrow(GateConfigError);
  });
});

describe('a gate kind does not disappear when its files do', () => {
  test('a Node project without tsconfig.json, ESLint config or test runner plans all four gates, as errors', async () => {
    const dir = workspace({ 'package.json': { name: 'stripped', private: true } });
    const plan = planGates(dir, operator({}));
    expect(plan.gates.map((gate) => gate.gate)).toEqual(['build', 'lint', 'test', 'coverage']);
    const result = await runVerification(plan, 1);
    expect(result.passed).toBe(false);
    expect(statuses(result)).toEqual({ build: 'error', lint: 'error', test: 'error', coverage: 'error' });
    const summaries = Object.fromEntries(result.gates.map((gate) => [gate.gate, gate.summary]));
    expect(summaries).toEqual({
      build: 'no tsconfig.json found: add one or configure the build gate',
      lint: 'no ESLint configuration found: add one or configure the lint gate',
      test: 'no test runner found (jest or vitest in package.json): add one or configure the test gate',
      coverage: 'no test runner found (jest or vitest in package.json): add one or configure the coverage gate',
    });
  });

  test('a workspace whose project type is gone still plans all four gates, as errors', async () => {
    const dir = workspace({ 'README.md': 'nothing to build' });
    const result = await runVerification(planGates(dir, operator({})), 1);
    expect(result.passed).toBe(false);
    expect(statuses(result)).toEqual({ build: 'error', lint: 'error', test: 'error', coverage: 'error' });
    expect(result.gates[0]!.summary).toBe(
      'no package.json or Python project file found: add one or configure the build gate',
    );
  });

  test("only the operator's `false` removes a gate", () => {
    const dir = workspace({ 'package.json': {} });
    const plan = planGates(dir, operator({ lint: false }, { repository: { coverage: false } }));
    expect(plan.gates.map((gate) => gate.gate)).toEqual(['build', 'test']);
  });
});

describe('gate time limits fit inside the runGate activity', () => {
  test('timeoutSeconds above 1750 is rejected in COORDINATOR_CONFIG_FILE and in .coordinator.json', () => {
    expect(() => parseCoordinatorFile({ gates: { test: command(['npm', 'test'], 1751) } })).toThrow(
      /gates\.test\.timeoutSeconds/,
    );
    expect(parseCoordinatorFile({ gates: { test: command(['npm', 'test'], 1750) } }).gates.test).toMatchObject({
      timeoutSeconds: 1750,
    });
    const dir = workspace({
      'package.json': {},
      '.coordinator.json': { gates: { test: command(['npm', 'test'], 3600) } },
    });
    expect(() => planGates(dir, operator({}))).toThrow(/\.coordinator\.json: gates\.test\.timeoutSeconds/);
  });
});
