import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { createReceiverMetrics, type ReceiverMetrics } from './metrics';
import { webhookRoute } from './webhook-route';
import { claimRoute } from './claim-route';
import { loadCoordinatorFile, type AgentConfig } from '../config-file';
import { issueWorkflowBounds } from '../workflows/start-options';

export interface ReceiverDeps {
  client: Client;
  config: Config;
  log: Logger;
  /** Budget for the Temporal calls of one delivery (default 3 s, inside Gitea's 5 s timeout). */
  temporalDeadlineMs?: number;
  /** For tests and the benchmark; a fresh registry by default. */
  metrics?: ReceiverMetrics;
  /** The agent pool (who may claim, and which Gitea user is whose); default: COORDINATOR_CONFIG_FILE's. */
  agents?: readonly AgentConfig[];
}

const READY_DEADLINE_MS = 2_000;

export function createApp(deps: ReceiverDeps): Express {
  const { client, config, log } = deps;
  const metrics = deps.metrics ?? createReceiverMetrics();
  const agents = deps.agents ?? loadCoordinatorFile(config.configFile).agents;
  const secrets = config.gitea.webhookSecrets;
  if (secrets.length === 0) {
    log.warn('GITEA_WEBHOOK_SECRET is not set: every webhook delivery will be rejected with 401');
  }

  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', async (_req, res) => {
    try {
      await client.connection.withDeadline(Date.now() + READY_DEADLINE_MS, () =>
        client.workflowService.getSystemInfo({}),
      );
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'unavailable', reason: 'Temporal does not answer' });
    }
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use(
    webhookRoute({
      client,
      taskQueue: config.temporal.taskQueue,
      secrets,
      maxBodyBytes: config.receiver.maxBodyBytes,
      temporalDeadlineMs: deps.temporalDeadlineMs ?? 3_000,
      agents,
      log,
      metrics,
      workflowBounds: issueWorkflowBounds(config.workflow),
    }),
  );
  app.use(
    claimRoute({
      client,
      agents,
      secret: config.agents.webhookSecret,
      temporalDeadlineMs: deps.temporalDeadlineMs ?? 3_000,
      log,
    }),
  );
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  const lastResort: ErrorRequestHandler = (error, _req, res, _next) => {
    log.error({ err: error }, 'unhandled error in the receiver');
    if (!res.headersSent) res.status(500).json({ error: 'internal error' });
  };
  app.use(lastResort);
  return app;
}
