import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig } from '../../src/config';
import { probe, probeUrls } from '../../src/healthcheck';

describe('the container health check', () => {
  it('probes the receiver and the worker metrics on this host, whichever role the container runs', () => {
    expect(probeUrls(loadConfig({}))).toEqual(['http://127.0.0.1:8000/health', 'http://127.0.0.1:9464/metrics']);
    expect(
      probeUrls(loadConfig({ RECEIVER_HOST: '10.0.0.5', RECEIVER_PORT: '8080', WORKER_METRICS_ADDRESS: '[::]:9100' })),
    ).toEqual(['http://10.0.0.5:8080/health', 'http://127.0.0.1:9100/metrics']);
  });

  it('refuses a metrics address the SDK could not bind, naming the variable', () => {
    expect(() => loadConfig({ WORKER_METRICS_ADDRESS: 'localhost:9464' })).toThrow(ConfigError);
    expect(() => loadConfig({ WORKER_METRICS_ADDRESS: '9464' })).toThrow('WORKER_METRICS_ADDRESS');
  });

  describe('against real HTTP servers', () => {
    const servers: Server[] = [];
    const serve = async (status: number): Promise<string> => {
      const server = createServer((_req, res) => res.writeHead(status).end('x'));
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
    };
    afterAll(() => servers.forEach((server) => server.close()));

    it('is healthy when one endpoint answers 200, and not when the others refuse or fail', async () => {
      const ok = await serve(200);
      const failing = await serve(503);
      const closed = 'http://127.0.0.1:1/metrics';
      expect(await probe([closed, ok])).toBe(ok);
      expect(await probe([failing, closed])).toBeUndefined();
    });
  });
});
