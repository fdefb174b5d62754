import { runClaim } from '../../src/cli/claim';
import { loadTemporalSecurity } from '../../src/config';
import { statusQuery } from '../../src/workflows/messages';
import { testServer, useRunningWorker } from '../helpers/temporal';
import { eventually, Fakes, gateResult, testIssue, startAssigned, untilDispatched } from './workflow-harness';

/** `coordinator claim` against the real issue workflow: it blocks the Claude Code stop, then allows it. */
describe('stop-hook bridge on the real issue workflow', () => {
  const fakes = new Fakes();
  const env = useRunningWorker(fakes.activities);

  it('blocks with the continuation prompt while a gate fails, then lets the session stop', async () => {
    const issue = testIssue('Spin the widget');
    let testRuns = 0;
    const recorded = fakes.script(issue.key, {
      gates: ['build', 'test'],
      gate: async ({ gate }) => gateResult(gate, gate === 'test' && testRuns++ === 0 ? 'failed' : 'passed'),
    });
    const handle = await startAssigned(env.ctx.client, env.worker.options.taskQueue, issue, {
      blockerRecheckInterval: '1 hour',
    });
    await untilDispatched(recorded, 1);
    await eventually(
      () => handle.query(statusQuery),
      (status) => status.phase === 'working',
    );

    const { address, namespace } = testServer();
    const claimOnce = async () => {
      const out: string[] = [];
      const code = await runClaim(
        {
          issueKey: issue.key,
          claim: { agent: 'claude-small' },
          address,
          namespace,
          security: loadTemporalSecurity({}),
        },
        { stdout: (text) => out.push(text), stderr: () => {} },
      );
      return { code, stdout: out.join('') };
    };

    const first = await claimOnce();
    expect(first.code).toBe(0);
    const hook = JSON.parse(first.stdout) as { decision: string; reason: string };
    expect(hook.decision).toBe('block');
    expect(hook.reason).toContain('REJECTED');
    expect(hook.reason).toContain('test');

    await eventually(
      () => handle.query(statusQuery),
      (status) => status.phase === 'working',
    );
    const second = await claimOnce();
    expect(second).toEqual({ code: 0, stdout: '' });
  });
});
