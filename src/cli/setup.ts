/**
 * `npx coordinator setup`: registers the namespace (when missing) and the custom search attributes on the cluster
 * at TEMPORAL_ADDRESS. Safe to run on every deployment: a second run changes nothing.
 */
import { Connection } from '@temporalio/client';
import { loadConfigOrExit } from '../config';
import { connectionOptions } from '../temporal/connection';
import { setupCluster } from '../temporal/setup';
import type { CliCommand } from './index';

export const setupCommand: CliCommand = {
  summary: 'register the namespace and search attributes on TEMPORAL_ADDRESS (idempotent)',
  async run(args) {
    if (args.length > 0) {
      process.stderr.write('usage: coordinator setup   (reads TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE)\n');
      return args[0] === '--help' || args[0] === '-h' ? 0 : 2;
    }
    const config = loadConfigOrExit();
    const { address, namespace } = config.temporal;
    if (!address) {
      process.stderr.write('TEMPORAL_ADDRESS must be set: setup prepares an existing cluster\n');
      return 2;
    }
    const connection = await Connection.connect(connectionOptions({ address, security: config.temporal.security }));
    try {
      const result = await setupCluster({ connection, namespace });
      const lines = [
        `namespace ${namespace}: ${result.namespaceRegistered ? 'registered' : 'already registered'}`,
        `search attributes added: ${result.added.join(', ') || 'none'}`,
        `search attributes already present: ${result.present.join(', ') || 'none'}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
      return 0;
    } finally {
      await connection.close();
    }
  },
};
