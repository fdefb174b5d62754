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
    [{ COVERAGE_THRESHOLD: '101' }, 'COVERAGE_THRESHOLD'],
    [{ GITEA_WEBHOOK_SECRET_PREVIOUS: 'old' }, 'GITEA_WEBHOOK_SECRET'],
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
});
