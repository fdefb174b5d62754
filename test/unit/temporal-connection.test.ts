import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { connectionOptions } from '../../src/temporal/connection';

const address = 'ns.acct.tmprl.cloud:7233';
const endpointFor = (env: NodeJS.ProcessEnv) => ({
  address,
  security: loadConfig({ TEMPORAL_ADDRESS: address, ...env }).temporal.security,
});

describe('connectionOptions', () => {
  it('is the bare address for a plain-gRPC cluster', () => {
    expect(connectionOptions(endpointFor({}))).toEqual({ address });
  });

  it('asks for TLS with the system roots when TEMPORAL_TLS is on', () => {
    expect(connectionOptions(endpointFor({ TEMPORAL_TLS: 'true' }))).toEqual({ address, tls: true });
  });

  it('passes the API key over TLS, as Temporal Cloud expects', () => {
    expect(connectionOptions(endpointFor({ TEMPORAL_API_KEY: 'cloud-key' }))).toEqual({
      address,
      tls: true,
      apiKey: 'cloud-key',
    });
  });

  it('presents the client certificate pair read from the files (mTLS)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mtls-'));
    writeFileSync(join(dir, 'client.pem'), 'CERT');
    writeFileSync(join(dir, 'client.key'), 'KEY');
    const options = connectionOptions(
      endpointFor({ TEMPORAL_TLS_CERT_PATH: join(dir, 'client.pem'), TEMPORAL_TLS_KEY_PATH: join(dir, 'client.key') }),
    );
    expect(options.tls).toEqual({ clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') } });
    expect(options.apiKey).toBeUndefined();
  });
});
