import { readFileSync } from 'node:fs';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { TemporalSecurity } from '../config';

/** Where and how to connect: the address plus TEMPORAL_TLS / TEMPORAL_TLS_*_PATH / TEMPORAL_API_KEY. */
export interface TemporalEndpoint {
  address: string;
  security: TemporalSecurity;
}

/** The options both the client and the worker connection take; reads the mTLS certificate files. */
export function connectionOptions(
  endpoint: TemporalEndpoint,
): Pick<ConnectionOptions & NativeConnectionOptions, 'address' | 'tls' | 'apiKey'> {
  const { address, security } = endpoint;
  if (!security.tls) return { address };
  const clientCertPair =
    security.clientCertPath && security.clientKeyPath
      ? { crt: readFileSync(security.clientCertPath), key: readFileSync(security.clientKeyPath) }
      : undefined;
  return {
    address,
    tls: clientCertPair ? { clientCertPair } : true,
    ...(security.apiKey ? { apiKey: security.apiKey } : {}),
  };
}

/** A client for the receiver and CLI commands. */
export async function connectClient(endpoint: TemporalEndpoint, namespace: string): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(endpoint));
  return new Client({ connection, namespace });
}

export async function connectWorker(endpoint: TemporalEndpoint): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(endpoint));
}
