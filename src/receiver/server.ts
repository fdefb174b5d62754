import type { Server } from 'node:http';
import type { Express } from 'express';
import { loadConfigOrExit } from '../config';
import { createLogger } from '../logger';
import { connectClient } from '../temporal/connection';
import { createApp } from './app';

export function listen(app: Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(server)));
  });
}

/** Stops accepting, lets the requests in flight finish, then closes their keep-alive sockets as they go idle. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    // Without this, a keep-alive socket that finishes its request after close() holds it for keepAliveTimeout.
    const idleSweep = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearInterval(idleSweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** `npm run receiver`: the webhook receiver on its own, against TEMPORAL_ADDRESS. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger(config.logLevel, 'receiver');
  if (!config.temporal.address) {
    log.fatal('TEMPORAL_ADDRESS must be set to run the receiver on its own (npm start runs everything together)');
    process.exit(1);
  }
  const client = await connectClient(
    { address: config.temporal.address, security: config.temporal.security },
    config.temporal.namespace,
  );
  const server = await listen(createApp({ client, config, log }), config.receiver.port, config.receiver.host);
  log.info({ url: `http://${config.receiver.host}:${config.receiver.port}` }, 'receiver listening');
  const shutdown = async () => {
    log.info('receiver stopping');
    await closeServer(server);
    await client.connection.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
