/**
 * The Temporal Web UI as a person uses it: Debian's Chromium (driven by playwright-core, no browser download)
 * searches an issue workflow by its IssueKey, opens it and sees its summary and current details (phase and gate
 * table). Runs its own dev server, since the shared test server has no UI. Saves a screenshot under test-results/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { chromium, type BrowserContext } from 'playwright-core';
import type { IssueSnapshot } from '../../src/domain/types';
import { getFreePort, startDevServer, type DevServer } from '../../src/temporal/dev-server';
import type { issueWorkflow } from '../../src/workflows/issue-workflow';
import { claimCompletionUpdate, issueClosedSignal, statusQuery } from '../../src/workflows/messages';
import { testServer, uniqueName } from '../helpers/temporal';
import { eventually, Fakes, gateResult, startAssigned } from '../integration/workflow-harness';

const CHROMIUM = '/usr/bin/chromium';
const RESULTS = join(__dirname, '..', '..', 'test-results');
const SCREENSHOT = join(RESULTS, 'web-ui-issue-workflow.png');

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(
    `Web UI test SKIPPED: no Chromium at ${CHROMIUM}. Install Debian's: sudo apt-get install -y chromium ` +
      '(.ci/run installs it).',
  );
}

(haveChromium ? describe : describe.skip)('the Web UI shows an issue workflow', () => {
  const fakes = new Fakes();
  let server: DevServer;
  let connection: Connection;
  let nativeConnection: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let browser: BrowserContext;
  let profileDir: string;
  let handle: WorkflowHandle<typeof issueWorkflow>;
  const repo = uniqueName('widgets');
  const issue: IssueSnapshot = {
    key: `acme/${repo}#7`,
    owner: 'acme',
    repo,
    number: 7,
    title: 'Make the widget spin',
    body: 'It should spin.',
    labels: [],
    state: 'open',
    assignees: ['bot'],
  };

  beforeAll(async () => {
    server = await startDevServer({ cliPath: testServer().cliPath, uiPort: await getFreePort() });
    connection = await Connection.connect({ address: server.address });
    nativeConnection = await NativeConnection.connect({ address: server.address });
    worker = await Worker.create({
      connection: nativeConnection,
      namespace: server.namespace,
      taskQueue: uniqueName('tq'),
      workflowBundle: { codePath: testServer().bundlePath },
      activities: fakes.activities,
    });
    running = worker.run();
    mkdirSync(RESULTS, { recursive: true });
    profileDir = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 1100 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    if (handle) await handle.signal(issueClosedSignal, { dedupeKey: 'closed' }).catch(() => undefined);
    if (worker) {
      worker.shutdown();
      await running;
    }
    await nativeConnection?.close();
    await connection?.close();
    await server?.stop();
  });

  it('finds the issue by IssueKey and shows its summary, phase and gate table', async () => {
    fakes.script(issue.key, {
      gate: async ({ gate, round }) => gateResult(gate, round === 1 && gate === 'lint' ? 'failed' : 'passed'),
    });
    const client = new Client({ connection, namespace: server.namespace });
    handle = await startAssigned(client, worker.options.taskQueue, issue, { maxRounds: 3 });
    await eventually(
      () => handle.query(statusQuery),
      (status) => status.phase === 'working',
    );
    // Round 1 fails on lint: the agent is sent back to work on round 2, the failed gate table in the details.
    expect((await handle.executeUpdate(claimCompletionUpdate, { args: [{}] })).outcome).toBe('continue');
    await eventually(
      () => handle.query(statusQuery),
      (status) => status.phase === 'working' && status.round === 2,
    );

    const page = await browser.newPage();
    const query = encodeURIComponent(`IssueKey="${issue.key}"`);
    await page.goto(`${server.uiUrl}/namespaces/${server.namespace}/workflows?query=${query}`);
    const link = page.getByRole('link', { name: issue.key, exact: true });
    await link.waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(RESULTS, 'web-ui-search.png') });
    await link.click();

    // The "User Metadata" tab holds the summary and the current details.
    await page.getByText('User Metadata', { exact: true }).click();
    await page.waitForURL(/\/user-metadata$/);
    // The tab renders each markdown field in an iframe of its own: the summary first, then the current details.
    const [summary, details] = [0, 1].map((n) => page.locator('iframe[title="output"]').nth(n).contentFrame());
    await summary!.getByText(`${issue.key}: Make the widget spin`, { exact: true }).waitFor({ timeout: 15_000 });
    await details!.getByText('Gates, round 1: failed').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: SCREENSHOT });
    const text = await details!.locator('body').innerText();
    expect(text).toContain('Phase: working');
    expect(text).toContain('Round: 2 of 3');
    expect(text).toMatch(/lint\s+failed\s+1\.2 s\s+lint: 2 problems/);
  });
});
