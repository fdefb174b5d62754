import type { AddressInfo } from 'node:net';
import express from 'express';
import { closeServer, listen } from '../../src/receiver/server';

describe('receiver shutdown (SIGTERM)', () => {
  it('finishes the request in flight, refuses new connections, then resolves', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    const app = express();
    app.post('/webhook/gitea', async (_req, res) => {
      arrived();
      await released;
      res.status(202).json({ accepted: true });
    });
    const server = await listen(app, 0, '127.0.0.1');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/gitea`;

    const inFlight = fetch(url, { method: 'POST' });
    await requestArrived;
    let closed = false;
    const closing = closeServer(server).then(() => (closed = true));
    await expect(fetch(url, { method: 'POST' })).rejects.toThrow();
    expect(closed).toBe(false);

    release();
    const response = await inFlight;
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: true });
    const answeredAt = Date.now();
    await closing;
    expect(closed).toBe(true);
    // The client's keep-alive socket does not hold the shutdown open (Node's keepAliveTimeout is 5 s).
    expect(Date.now() - answeredAt).toBeLessThan(1_000);
  });
});
