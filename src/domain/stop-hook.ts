import type { ClaimVerdict } from '../workflows/messages';

/**
 * What `coordinator claim` prints for a Claude Code Stop hook. The hook contract: exit code 0 with
 * `{"decision":"block","reason":…}` on stdout keeps the session going with `reason` as its next instruction; exit
 * 0 with no decision lets it stop; any other non-zero exit except 2 is a non-blocking error shown to the user.
 */
export interface StopHookOutput {
  stdout: string;
  /** A line for the person watching (Claude Code shows hook stderr in verbose mode). */
  stderr: string;
  exitCode: number;
}

export function stopHookOutput(issueKey: string, verdict: ClaimVerdict): StopHookOutput {
  const gates = verdict.verification.gates;
  const failed = gates.filter((gate) => gate.status !== 'passed').map((gate) => gate.gate);
  switch (verdict.outcome) {
    case 'continue': {
      const reason =
        verdict.continuationPrompt ??
        `Your completion claim for ${issueKey} was rejected: ${failed.join(', ')} did not pass. Fix them, run them ` +
          'yourself, and only then stop.';
      return {
        stdout: `${JSON.stringify({ decision: 'block', reason })}\n`,
        stderr: `${issueKey}: gates failed (${failed.join(', ')}); continuing\n`,
        exitCode: 0,
      };
    }
    case 'passed':
      return { stdout: '', stderr: `${issueKey}: all ${gates.length} quality gates passed\n`, exitCode: 0 };
    case 'escalated':
      // Blocking again would only loop: the round budget is spent and a human takes over.
      return {
        stdout: '',
        stderr: `${issueKey}: gates still failing (${failed.join(', ')}); escalated to a human\n`,
        exitCode: 0,
      };
  }
}
