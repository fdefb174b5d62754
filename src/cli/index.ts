/**
 * `npx coordinator <command>`: one entry point for the operator and agent commands. Each command lives in its own
 * file under src/cli/ and registers here.
 */
import { claimCommand } from './claim';
import { setupCommand } from './setup';
import { verifyCommand } from './verify';

export interface CliCommand {
  summary: string;
  /** Resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

const commands: Record<string, () => Promise<CliCommand>> = {
  // Static imports: tsx (running from source) does not resolve dynamic import() of TypeScript files.
  claim: async () => claimCommand,
  setup: async () => setupCommand,
  verify: async () => verifyCommand,
};

function usage(): string {
  const lines = Object.keys(commands)
    .sort()
    .map((name) => `  ${name}`);
  return ['usage: coordinator <command> [options]', '', 'commands:', ...lines].join('\n');
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const load = name ? commands[name] : undefined;
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  if (!load) {
    process.stderr.write(`${name ? `unknown command: ${name}\n` : ''}${usage()}\n`);
    return 2;
  }
  const command = await load();
  return command.run(args);
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
