/**
 * POST /agents/claim: a `webhook` agent claims completion. Signature (AGENT_WEBHOOK_SECRET, timestamped) → JSON →
 * schema → the claimCompletion Update, whose verdict is the answer. The request stays open while the gates run.
 */
import { createHash } from 'node:crypto';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { WorkflowUpdateStage, type Client } from '@temporalio/client';
import { z } from 'zod';
import { CLAIM_SIGNATURE_HEADER, CLAIM_TIMESTAMP_HEADER, verifyClaimSignature } from '../agents/claim-signature';
import type { AgentConfig } from '../config-file';
import { formatIssueKey, parseIssueKey } from '../domain/issue-key';
import type { Logger } from '../logger';
import { claimCompletionUpdate, type CompletionClaim } from '../workflows/messages';
import { claimFailureStatus } from './claim-errors';

export const CLAIM_PATH = '/agents/claim';
const MAX_CLAIM_BYTES = 64 * 1024;

export const claimRequestSchema = z.strictObject({
  issueKey: z.string().transform((raw, ctx) => {
    const ref = parseIssueKey(raw);
    if (!ref) {
      ctx.addIssue({ code: 'custom', message: 'expected an issue key like owner/repo#42' });
      return z.NEVER;
    }
    return formatIssueKey(ref);
  }),
  agent: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
  note: z.string().max(2000).optional(),
  contextTokensUsed: z.number().int().nonnegative().optional(),
});

export interface ClaimRouteOptions {
  client: Client;
  agents: readonly AgentConfig[];
  secret: string | undefined;
  /** Budget for Temporal to accept the Update; the verdict itself may take as long as the gates. */
  temporalDeadlineMs: number;
  log: Logger;
}

export function claimRoute(options: ClaimRouteOptions): express.Router {
  const { client, agents, secret, log } = options;
  const router = express.Router();

  const handle: RequestHandler = async (req, res) => {
    if (req.is('application/json') === false) {
      res.status(415).json({ error: 'content type must be application/json' });
      return;
    }
    const rawBody = Buffer.isBuffer(req.body) ? req.body : undefined;
    const signature = verifyClaimSignature(
      rawBody,
      {
        signature: req.headers[CLAIM_SIGNATURE_HEADER.toLowerCase()],
        timestamp: req.headers[CLAIM_TIMESTAMP_HEADER.toLowerCase()],
      },
      secret,
    );
    if (!signature.ok) {
      log.warn({ reason: signature.reason }, 'claim rejected: signature');
      res.status(401).json({ error: 'invalid signature', reason: signature.reason });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(rawBody!.toString('utf8'));
    } catch {
      res.status(422).json({ error: 'the body is not JSON' });
      return;
    }
    const parsed = claimRequestSchema.safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      res.status(422).json({ error: 'the body does not match the schema', problems });
      return;
    }
    const { issueKey, agent: agentName, note, contextTokensUsed } = parsed.data;
    const agent = agents.find((candidate) => candidate.name === agentName);
    if (!agent) {
      res.status(422).json({ error: `no agent named ${agentName} in the pool` });
      return;
    }
    const claim: CompletionClaim = {
      agent: agent.name,
      ...(note ? { note } : {}),
      ...(contextTokensUsed !== undefined
        ? { contextUsage: { usedTokens: contextTokensUsed, windowTokens: agent.contextWindow } }
        : {}),
    };
    // A verbatim replay (same timestamp and body) is the same Update: Temporal answers it with the first verdict.
    // The timestamp is part of the id, so an agent that sends the same body in a later round gets a new verdict.
    const timestamp = String(req.headers[CLAIM_TIMESTAMP_HEADER.toLowerCase()]);
    const updateId = `agent-claim-${createHash('sha256').update(timestamp).update('.').update(rawBody!).digest('hex').slice(0, 32)}`;
    const claimLog = log.child({ issueKey, agent: agent.name, updateId });
    let accepted = false;
    try {
      const update = await client.connection.withDeadline(Date.now() + options.temporalDeadlineMs, () =>
        client.workflow.getHandle(issueKey).startUpdate(claimCompletionUpdate, {
          args: [claim],
          updateId,
          waitForStage: WorkflowUpdateStage.ACCEPTED,
        }),
      );
      accepted = true;
      const verdict = await update.result();
      claimLog.info({ outcome: verdict.outcome }, 'claim verified');
      res.status(200).json(verdict);
    } catch (error) {
      const failure = claimFailureStatus(error, accepted);
      claimLog.warn({ status: failure.status, reason: failure.message }, 'claim not verified');
      res.status(failure.status).json({ error: failure.error, reason: failure.message });
    }
  };

  const bodyErrors: ErrorRequestHandler = (error: { status?: number }, _req, res, next) => {
    if (!(typeof error.status === 'number' && error.status < 500)) return next(error);
    if (error.status === 413) return res.status(413).json({ error: `body exceeds ${MAX_CLAIM_BYTES} bytes` });
    res.status(400).json({ error: 'the request body could not be read' });
  };

  router.post(CLAIM_PATH, express.raw({ type: () => true, limit: MAX_CLAIM_BYTES }), handle, bodyErrors);
  return router;
}
