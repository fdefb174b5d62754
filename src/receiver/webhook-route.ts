/**
 * POST /webhook/gitea: content type → size limit (after inflation) → signature over the raw bytes → JSON →
 * schema → command → Temporal. Every answer is a short JSON body that says why; 2xx only after Temporal accepted.
 */
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import type { Client } from '@temporalio/client';
import type { Logger } from '../logger';
import { verifySignature } from '../gitea/signature';
import { deliveryDedupeKey, routeDelivery } from './commands';
import { claimByComment, commentAction, routeComment } from './comment-claims';
import type { AgentConfig } from '../config-file';
import { dispatch, type DispatchResult } from './dispatch';
import type { DeliveryOutcome, ReceiverMetrics } from './metrics';
import type { IssueWorkflowBounds } from '../workflows/start-options';

export const WEBHOOK_PATH = '/webhook/gitea';

export interface WebhookRouteOptions {
  client: Client;
  taskQueue: string;
  secrets: readonly string[];
  maxBodyBytes: number;
  /** Budget for all Temporal calls of one delivery; well inside Gitea's 5 s delivery timeout. */
  temporalDeadlineMs: number;
  log: Logger;
  metrics: ReceiverMetrics;
  /** The agent pool: whose `/done` comments are completion claims. */
  agents?: readonly AgentConfig[];
  /** Passed into every workflow this route starts. */
  workflowBounds?: IssueWorkflowBounds;
}

interface DeliveryLabels {
  event?: string;
  action?: string;
  outcome: DeliveryOutcome;
}

export function webhookRoute(options: WebhookRouteOptions): express.Router {
  const { client, taskQueue, secrets, log, metrics } = options;
  const router = express.Router();
  // Concurrent deliveries with the same content share one trip to Temporal.
  const inFlight = new Map<string, Promise<DispatchResult>>();

  const finish = (res: Response, status: number, body: object, labels: DeliveryLabels) => {
    const started = res.locals.startedAt as bigint;
    metrics.observeDelivery(labels, Number(process.hrtime.bigint() - started) / 1e9);
    res.status(status).json(body);
  };

  const start: RequestHandler = (req, res, next) => {
    res.locals.startedAt = process.hrtime.bigint();
    // A request without a body has no type (null) and is rejected below as unsigned.
    if (req.is('application/json') === false) {
      finish(res, 415, { error: 'content type must be application/json' }, { outcome: 'unsupported_media_type' });
      return;
    }
    next();
  };

  const readBody = express.raw({ type: () => true, limit: options.maxBodyBytes, inflate: true });

  const bodyErrors: ErrorRequestHandler = (error: { status?: number; type?: string }, req, res, next) => {
    // Only body-reading errors (http-errors with a 4xx status) are answered here; anything else is a bug.
    if (res.locals.startedAt === undefined || !(typeof error.status === 'number' && error.status < 500)) {
      return next(error);
    }
    if (error.status === 413) {
      return finish(res, 413, { error: `body exceeds ${options.maxBodyBytes} bytes` }, { outcome: 'too_large' });
    }
    if (error.status === 415) {
      return finish(
        res,
        415,
        { error: 'unsupported content or charset encoding' },
        { outcome: 'unsupported_media_type' },
      );
    }
    finish(res, 400, { error: 'the request body could not be read' }, { outcome: 'bad_request' });
  };

  /** `issue_comment`: a `/done` from the assigned agent's Gitea user is its completion claim. */
  const handleComment = async (res: Response, payload: unknown, deliveryId: string | undefined) => {
    const event = 'issue_comment';
    const route = routeComment(payload);
    const action = commentAction(payload);
    if (route.kind === 'invalid') {
      log.warn({ deliveryId, event, action, problems: route.problems }, 'webhook rejected: payload schema');
      const body = { error: 'payload does not match the schema', problems: route.problems };
      return finish(res, 422, body, { event, action, outcome: 'invalid_payload' });
    }
    if (route.kind === 'ignore') {
      return finish(res, 200, { status: 'ignored', reason: route.reason }, { event, action, outcome: 'ignored' });
    }
    const { issueKey, author, commentId } = route.comment;
    const delivery = log.child({ deliveryId, event, action, issueKey, author, commentId });
    let result;
    try {
      result = await client.connection.withDeadline(Date.now() + options.temporalDeadlineMs, () =>
        claimByComment(client, options.agents ?? [], route.comment),
      );
    } catch (error) {
      delivery.error({ err: errorSummary(error) }, 'completion claim not accepted: Temporal unavailable');
      const body = { error: 'Temporal is unavailable; the delivery was not recorded' };
      return finish(res, 503, body, { event, action, outcome: 'unavailable' });
    }
    delivery.info({ outcome: result.outcome }, '/done comment handled');
    if (result.outcome === 'accepted') {
      return finish(
        res,
        202,
        { status: 'accepted', issueKey, workflowIds: [issueKey] },
        { event, action, outcome: 'accepted' },
      );
    }
    if (result.outcome === 'no-workflow') {
      return finish(
        res,
        200,
        { status: 'no-workflow', issueKey, workflowIds: [] },
        { event, action, outcome: 'no_workflow' },
      );
    }
    return finish(res, 200, { status: result.outcome, reason: result.reason }, { event, action, outcome: 'ignored' });
  };

  const handle: RequestHandler = async (req, res) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body : undefined;
    const verdict = verifySignature(
      rawBody,
      { giteaSignature: req.headers['x-gitea-signature'], hubSignature256: req.headers['x-hub-signature-256'] },
      secrets,
    );
    const deliveryId = headerText(req, 'x-gitea-delivery');
    if (!verdict.ok) {
      metrics.signatureFailure(verdict.reason);
      log.warn({ deliveryId, reason: verdict.reason }, 'webhook rejected: signature');
      const error =
        verdict.reason === 'no-secret' ? 'no webhook secret is configured on the receiver' : 'invalid signature';
      return finish(res, 401, { error, reason: verdict.reason }, { outcome: 'unauthorized' });
    }
    const event = headerText(req, 'x-gitea-event-type') ?? headerText(req, 'x-gitea-event') ?? '';
    let payload: unknown;
    try {
      payload = JSON.parse(rawBody!.toString('utf8'));
    } catch {
      log.warn({ deliveryId, event }, 'webhook rejected: malformed JSON');
      return finish(res, 400, { error: 'malformed JSON' }, { event, outcome: 'bad_json' });
    }
    if (event === 'issue_comment') return handleComment(res, payload, deliveryId);
    const dedupeKey = deliveryDedupeKey(event, rawBody!);
    const route = routeDelivery(event, payload, dedupeKey);
    const { action } = route;
    if (route.kind === 'ignore') {
      log.debug({ deliveryId, event, action }, 'webhook ignored');
      return finish(res, 200, { status: 'ignored', reason: route.reason }, { event, action, outcome: 'ignored' });
    }
    if (route.kind === 'invalid') {
      log.warn({ deliveryId, event, action, problems: route.problems }, 'webhook rejected: payload schema');
      const body = { error: 'payload does not match the schema', problems: route.problems };
      return finish(res, 422, body, { event, action, outcome: 'invalid_payload' });
    }
    const { command } = route;
    const issueKey = command.issue.key;
    const delivery = log.child({ deliveryId, event, action, issueKey, dedupeKey });
    let result: DispatchResult;
    try {
      let pending = inFlight.get(dedupeKey);
      if (!pending) {
        pending = client.connection
          .withDeadline(Date.now() + options.temporalDeadlineMs, () =>
            dispatch(client, taskQueue, command, options.workflowBounds),
          )
          .finally(() => inFlight.delete(dedupeKey));
        inFlight.set(dedupeKey, pending);
      }
      result = await pending;
    } catch (error) {
      delivery.error({ err: errorSummary(error) }, 'webhook not accepted: Temporal unavailable');
      const body = { error: 'Temporal is unavailable; the delivery was not recorded' };
      return finish(res, 503, body, { event, action, outcome: 'unavailable' });
    }
    delivery.info(
      { outcome: result.outcome, workflowIds: result.workflowIds, title: command.issue.title },
      'webhook accepted',
    );
    const status = result.outcome === 'accepted' ? 202 : 200;
    const outcome = result.outcome === 'accepted' ? 'accepted' : 'no_workflow';
    return finish(
      res,
      status,
      { status: result.outcome, issueKey, workflowIds: result.workflowIds },
      { event, action, outcome },
    );
  };

  router.post(WEBHOOK_PATH, start, readBody, handle, bodyErrors);
  return router;
}

const MAX_HEADER_LOG = 100;

function headerText(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  const text = Array.isArray(value) ? value.join(',') : value;
  return text === undefined || text === '' ? undefined : text.slice(0, MAX_HEADER_LOG);
}

/** Error name and message only: gRPC errors carry metadata that has no place in a log line. */
function errorSummary(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'unknown', message: String(error) };
}
