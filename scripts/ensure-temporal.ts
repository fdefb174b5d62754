/** `npm run temporal:ensure`: finds or builds the Temporal CLI and prints where it is. */
import { ensureTemporalCli } from '../src/temporal/cli';
import { createLogger } from '../src/logger';

ensureTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH || undefined, log: createLogger() })
  .then((cli) => console.log(`temporal ${cli.version} (server ${cli.serverVersion}) from ${cli.source}: ${cli.path}`))
  .catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
