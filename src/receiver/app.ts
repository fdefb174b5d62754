import express, { type Express } from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Logger } from '../logger';

export interface ReceiverDeps {
  client: Client;
  config: Config;
  log: Logger;
}

export function createApp(_deps: ReceiverDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  return app;
}
