/**
 * `npx coordinator verify` plans the gates as the gate activity does: COORDINATOR_CONFIG_FILE's entry for the
 * repository whose workspace is being verified outranks the workspace's own `.coordinator.json`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { VerificationResult } from '../../../src/domain/types';

const REPO = join(__dirname, '..', '..', '..');
let root: string;
beforeAll(() => (root = mkdtempSync(join(tmpdir(), 'verify-cli-'))));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function verify(dir: string, configFile: string, ...args: string[]) {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, COORDINATOR_CONFIG_FILE: configFile };
  return promisify(execFile)(
    join(REPO, 'node_modules', '.bin', 'tsx'),
    [join(REPO, 'src', 'cli', 'index.ts'), 'verify', dir, '--json', ...args],
    { cwd: REPO, env },
  ).then(
    ({ stdout }) => ({ code: 0, result: JSON.parse(stdout) as VerificationResult }),
    (error: { code: number; stdout: string }) => ({
      code: error.code,
      result: JSON.parse(error.stdout) as VerificationResult,
    }),
  );
}

test("the operator's repositories[].gates for the verified workspace outrank its .coordinator.json", async () => {
  const workspace = join(root, 'app');
  const other = join(root, 'other');
  for (const dir of [workspace, other]) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), '{}');
    writeFileSync(join(dir, '.coordinator.json'), JSON.stringify({ gates: { test: { command: ['true'] } } }));
  }
  const configFile = join(root, 'coordinator.json');
  const failing = { command: [process.execPath, '-e', 'process.exit(3)'], timeoutSeconds: 30 };
  writeFileSync(
    configFile,
    JSON.stringify({
      gates: { build: false, lint: false, coverage: false },
      repositories: [{ name: 'acme/app', workspace, gates: { test: failing } }],
    }),
  );

  const own = await verify(workspace, configFile);
  expect(own.code).toBe(1);
  expect(own.result.gates.map((gate) => [gate.gate, gate.status, gate.exitCode])).toEqual([['test', 'failed', 3]]);

  const unrelated = await verify(other, configFile);
  expect(unrelated.code).toBe(0);
  expect(unrelated.result.gates.map((gate) => [gate.gate, gate.status])).toEqual([['test', 'passed']]);

  const named = await verify(other, configFile, '--issue', 'acme/app#7');
  expect(named.result.gates.map((gate) => [gate.gate, gate.status])).toEqual([['test', 'failed']]);
}, 30_000);
