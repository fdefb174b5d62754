import { parseClaimArgs } from '../../src/cli/claim';
import { stopHookOutput } from '../../src/domain/stop-hook';
import type { GateResult } from '../../src/domain/types';
import type { ClaimVerdict } from '../../src/workflows/messages';

const gate = (name: GateResult['gate'], status: GateResult['status']): GateResult => ({
  gate: name,
  status,
  exitCode: status === 'passed' ? 0 : 1,
  durationMs: 10,
  command: ['npm', 'test'],
  outputTail: '',
  summary: '',
  findings: [],
});
const verdict = (outcome: ClaimVerdict['outcome'], over: Partial<ClaimVerdict> = {}): ClaimVerdict => ({
  outcome,
  verification: {
    passed: outcome === 'passed',
    round: 1,
    startedAt: '2026-01-01T00:00:00Z',
    durationMs: 100,
    gates: [gate('build', 'passed'), gate('test', outcome === 'passed' ? 'passed' : 'failed')],
  },
  ...over,
});

describe('stop-hook output of a claim verdict', () => {
  it('blocks the stop with the continuation prompt as the reason when gates fail', () => {
    const output = stopHookOutput('acme/widgets#7', verdict('continue', { continuationPrompt: 'Fix the test "x".' }));
    expect(output.exitCode).toBe(0);
    expect(JSON.parse(output.stdout)).toEqual({ decision: 'block', reason: 'Fix the test "x".' });
  });

  it('still blocks, naming the failed gates, when no prompt came back', () => {
    const output = stopHookOutput('acme/widgets#7', verdict('continue'));
    const parsed = JSON.parse(output.stdout) as { decision: string; reason: string };
    expect(parsed.decision).toBe('block');
    expect(parsed.reason).toContain('test');
  });

  it('lets the session stop when gates pass, and when the run escalated to a human', () => {
    for (const outcome of ['passed', 'escalated'] as const) {
      const output = stopHookOutput('acme/widgets#7', verdict(outcome));
      expect(output).toMatchObject({ stdout: '', exitCode: 0 });
      expect(output.stderr).toContain('acme/widgets#7');
    }
  });
});

describe('claim arguments', () => {
  it('canonicalises the issue key and reads agent and note', () => {
    expect(parseClaimArgs(['Acme/Widgets#7', '--agent', 'claude', '--note', 'done'], {})).toEqual({
      issueKey: 'acme/widgets#7',
      claim: { agent: 'claude', note: 'done' },
      address: '127.0.0.1:7233',
      namespace: 'default',
      security: { tls: false, clientCertPath: undefined, clientKeyPath: undefined, apiKey: undefined },
    });
  });

  it('falls back to the variables the command driver sets', () => {
    const env = {
      COORDINATOR_ISSUE_KEY: 'acme/widgets#7',
      COORDINATOR_AGENT: 'cli',
      TEMPORAL_ADDRESS: 'temporal:7233',
    };
    expect(parseClaimArgs([], env)).toMatchObject({
      issueKey: 'acme/widgets#7',
      claim: { agent: 'cli' },
      address: 'temporal:7233',
    });
  });

  it('connects with TLS and the API key from the environment, and names a bad TLS variable', () => {
    const env = { COORDINATOR_ISSUE_KEY: 'acme/widgets#7', TEMPORAL_API_KEY: 'secret-key' };
    expect(parseClaimArgs([], env)).toMatchObject({ security: { tls: true, apiKey: 'secret-key' } });
    expect(parseClaimArgs([], { ...env, TEMPORAL_TLS_CERT_PATH: '/etc/client.pem' })).toMatch(
      /^invalid configuration: TEMPORAL_TLS_KEY_PATH: /,
    );
  });

  it('refuses what is not an issue key', () => {
    expect(parseClaimArgs(['widgets'], {})).toMatch(/not an issue key/);
    expect(parseClaimArgs([], {})).toMatch(/issue key is needed/);
    expect(parseClaimArgs(['--bogus'], {})).toMatch(/bogus/);
  });
});
