import { runClaim } from '../../src/cli/claim';
import { loadTemporalSecurity } from '../../src/config';
import { testServer, uniqueName } from '../helpers/temporal';

describe('coordinator claim against the test dev server', () => {
  it('fails without blocking (exit 1, nothing on stdout) when no workflow runs for the issue', async () => {
    const { address, namespace } = testServer();
    const out: string[] = [];
    const err: string[] = [];
    const code = await runClaim(
      { issueKey: `${uniqueName('nobody')}/repo#1`, claim: {}, address, namespace, security: loadTemporalSecurity({}) },
      { stdout: (text) => out.push(text), stderr: (text) => err.push(text) },
    );
    expect(code).toBe(1);
    expect(out.join('')).toBe('');
    expect(err.join('')).toMatch(/claim .* failed: .*not found/i);
  });
});
