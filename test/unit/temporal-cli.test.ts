import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTemporalCli, parseCliVersion } from '../../src/temporal/cli';
import { devServerArgs, startDevServer } from '../../src/temporal/dev-server';
import { testServer } from '../helpers/temporal';

describe('Temporal CLI provisioning', () => {
  it('parses the version line of release and source builds', () => {
    expect(parseCliVersion('temporal version 1.5.1 (Server 1.29.1, UI 2.42.1)\n')).toEqual({
      version: '1.5.1',
      serverVersion: '1.29.1',
    });
    expect(parseCliVersion('temporal version 0.0.0-DEV (Server 1.29.1, UI 2.42.1)')?.version).toBe('0.0.0-DEV');
    expect(parseCliVersion('go version go1.26')).toBeUndefined();
  });

  it('uses TEMPORAL_CLI_PATH when it names the real CLI', async () => {
    const cli = await ensureTemporalCli({ cliPath: testServer().cliPath });
    expect(cli.source).toBe('TEMPORAL_CLI_PATH');
    expect(cli.serverVersion).toMatch(/^1\.\d+\.\d+$/);
  });

  it('refuses a TEMPORAL_CLI_PATH that is not executable, naming it', async () => {
    await expect(ensureTemporalCli({ cliPath: '/nonexistent/temporal' })).rejects.toThrow(
      'TEMPORAL_CLI_PATH=/nonexistent/temporal is not an executable file',
    );
  });

  it('refuses a binary that is not the Temporal CLI, or one whose server is too old', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-cli-'));
    const impostor = join(dir, 'impostor');
    writeFileSync(impostor, '#!/bin/sh\necho "hello"\n', { mode: 0o755 });
    await expect(ensureTemporalCli({ cliPath: impostor })).rejects.toThrow('does not look like the Temporal CLI');
    const old = join(dir, 'old');
    writeFileSync(old, '#!/bin/sh\necho "temporal version 0.10.0 (Server 1.22.0, UI 2.21.0)"\n', { mode: 0o755 });
    await expect(ensureTemporalCli({ cliPath: old })).rejects.toThrow('embeds Temporal Server 1.22.0');
  });

  it('starts the dev server with SQLite WAL, the UI port and every custom search attribute', () => {
    const args = devServerArgs({
      cliPath: 'temporal',
      ip: '127.0.0.1',
      port: 7233,
      namespace: 'default',
      uiPort: 8233,
      dbFile: '/d/t.sqlite',
    });
    expect(args.join(' ')).toContain('--db-filename /d/t.sqlite --sqlite-pragma journal_mode=wal');
    expect(args.join(' ')).toContain('--ui-port 8233');
    for (const attr of [
      'IssueKey=Keyword',
      'IssueRepo=Keyword',
      'IssuePhase=Keyword',
      'AssignedAgent=Keyword',
      'BlockedBy=KeywordList',
      'ContinuationRound=Int',
    ]) {
      expect(args).toContain(attr);
    }
    expect(devServerArgs({ cliPath: 'temporal', ip: '127.0.0.1', port: 1, namespace: 'n' })).toContain('--headless');
  });

  it('turns on eager activity execution unless the caller sets it', () => {
    const base = { cliPath: 'temporal', ip: '127.0.0.1', port: 1, namespace: 'n' };
    const values = (args: string[]) => args.filter((_, i) => args[i - 1] === '--dynamic-config-value');
    expect(values(devServerArgs(base))).toEqual(['system.enableActivityEagerExecution=true']);
    expect(
      values(devServerArgs({ ...base, dynamicConfig: ['system.enableActivityEagerExecution=false', 'a.b=1'] })),
    ).toEqual(['system.enableActivityEagerExecution=false', 'a.b=1']);
  });
});

describe('startDevServer', () => {
  it('refuses a port that is already taken instead of talking to whatever holds it', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as { port: number }).port;
    try {
      await expect(startDevServer({ cliPath: testServer().cliPath, port })).rejects.toThrow(
        `port ${port} (dev server gRPC) on 127.0.0.1 is already in use`,
      );
    } finally {
      squatter.close();
    }
  });
});
