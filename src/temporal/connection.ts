import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';

/** A client for the receiver and CLI commands. */
export async function connectClient(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace });
}

export async function connectWorker(address: string): Promise<NativeConnection> {
  return NativeConnection.connect({ address });
}
