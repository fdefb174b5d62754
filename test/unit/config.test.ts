import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';

describe('loadConfig', () => {
  it('gives the embedded defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.temporal).toMatchObject({
      address: undefined,
      namespace: 'default',
      taskQueue: 'issue-coordinator',
      uiPort: 8233,
      dbFile: '.data/temporal.sqlite',
    });
    expect(config.receiver.port).toBe(8000);
    expect(config.gitea.webhookSecrets).toEqual([]);
    expect(config.workflow.maxContinuationRounds).toBe(5);
  });

  it('treats empty strings as unset, as an .env file copied from .env.example writes them', () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: '', ANTHROPIC_API_KEY: '  ', GITEA_URL: '' });
    expect(config.temporal.address).toBeUndefined();
    expect(config.anthropic.apiKey).toBeUndefined();
    expect(config.gitea.url).toBeUndefined();
  });

  it('accepts the current and the previous webhook secret, current first', () => {
    const config = loadConfig({ GITEA_WEBHOOK_SECRET: 'new', GITEA_WEBHOOK_SECRET_PREVIOUS: 'old' });
    expect(config.gitea.webhookSecrets).toEqual(['new', 'old']);
  });

  it.each([
    [{ RECEIVER_PORT: '80000' }, 'RECEIVER_PORT'],
    [{ RECEIVER_PORT: 'eight' }, 'RECEIVER_PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ GITEA_URL: 'not a url' }, 'GITEA_URL'],
    [{ MAX_CONTINUATION_ROUNDS: '0' }, 'MAX_CONTINUATION_ROUNDS'],
    [{ BLOCKER_RECHECK_INTERVAL: 'abc' }, 'BLOCKER_RECHECK_INTERVAL'],
    [{ BLOCKER_RECHECK_INTERVAL: '0s' }, 'BLOCKER_RECHECK_INTERVAL'],
    [{ BLOCKER_RECHECK_INTERVAL: '-1m' }, 'BLOCKER_RECHECK_INTERVAL'],
    [{ COVERAGE_THRESHOLD: '101' }, 'COVERAGE_THRESHOLD'],
    [{ GITEA_WEBHOOK_SECRET_PREVIOUS: 'old' }, 'GITEA_WEBHOOK_SECRET'],
    [{ TEMPORAL_ADDRESS: 't:7233', TEMPORAL_TLS: 'yes' }, 'TEMPORAL_TLS'],
    [{ TEMPORAL_ADDRESS: 't:7233', TEMPORAL_TLS_CERT_PATH: __filename }, 'TEMPORAL_TLS_KEY_PATH'],
    [{ TEMPORAL_ADDRESS: 't:7233', TEMPORAL_TLS_KEY_PATH: __filename }, 'TEMPORAL_TLS_CERT_PATH'],
    [
      { TEMPORAL_ADDRESS: 't:7233', TEMPORAL_TLS_CERT_PATH: '/nonexistent.pem', TEMPORAL_TLS_KEY_PATH: __filename },
      'TEMPORAL_TLS_CERT_PATH',
    ],
    [{ TEMPORAL_API_KEY: 'key' }, 'TEMPORAL_ADDRESS'],
    [{ TEMPORAL_TLS: 'true' }, 'TEMPORAL_ADDRESS'],
  ])('rejects %j naming %s in one line', (env, variable) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toMatch(new RegExp(`^invalid configuration: ${variable}: [^\\n]+$`));
  });

  describe('Temporal TLS', () => {
    it('is plain gRPC unless asked, and TEMPORAL_TLS=false means false', () => {
      const plain = { tls: false, clientCertPath: undefined, clientKeyPath: undefined, apiKey: undefined };
      expect(loadConfig({ TEMPORAL_ADDRESS: 't:7233' }).temporal.security).toEqual(plain);
      expect(loadConfig({ TEMPORAL_ADDRESS: 't:7233', TEMPORAL_TLS: 'false' }).temporal.security).toEqual(plain);
      expect(loadConfig({ TEMPORAL_ADDRESS: 't:7233', TEMPORAL_TLS: 'true' }).temporal.security.tls).toBe(true);
    });

    it('turns TLS on for an API key or a client certificate pair', () => {
      const dir = mkdtempSync(join(tmpdir(), 'tls-config-'));
      const [cert, key] = [join(dir, 'client.pem'), join(dir, 'client.key')];
      writeFileSync(cert, 'cert');
      writeFileSync(key, 'key');
      const address = { TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233' };
      expect(loadConfig({ ...address, TEMPORAL_API_KEY: 'k' }).temporal.security).toMatchObject({
        tls: true,
        apiKey: 'k',
      });
      expect(
        loadConfig({ ...address, TEMPORAL_TLS_CERT_PATH: cert, TEMPORAL_TLS_KEY_PATH: key }).temporal.security,
      ).toEqual({ tls: true, clientCertPath: cert, clientKeyPath: key, apiKey: undefined });
    });

    it('never puts the API key in its error message', () => {
      expect(() => loadConfig({ TEMPORAL_API_KEY: 'very-secret' })).toThrow(ConfigError);
      expect(() => loadConfig({ TEMPORAL_API_KEY: 'very-secret' })).not.toThrow(/very-secret/);
    });
  });
});
