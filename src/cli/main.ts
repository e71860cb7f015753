/**
 * The `hubops` command line: one entry, one subcommand per job, each with `--help`. Exit codes
 * as `kubectl diff`: 0 done (or nothing to do), 1 changes found, 2 an error, said in one line on
 * standard error. It loads only the hub client and the pure layers, none of the controllers.
 */
import { ConfigError } from '../config.ts';
import { OperatorError } from '../errors.ts';
import { UsageError } from './arguments.ts';
import { runExport } from './export-command.ts';
import { ManifestError } from './manifests.ts';
import { runPlan } from './plan-command.ts';

const usage = `Usage: hubops <command> [options]

Commands:
  export   print manifests (HubUsers, HubGroups, HubServers) that describe a hub as it is
  plan     print the hub calls the operator would make for manifests, making none

Connection (every command): --url URL and --token-file PATH, or the operator's variables
HUB_API_URL and HUB_API_TOKEN / HUB_API_TOKEN_FILE.
Run "hubops <command> --help" for a command's options.
`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(usage);
    return command === undefined ? 2 : 0;
  }
  if (command === 'export') return runExport(rest);
  if (command === 'plan') return runPlan(rest);
  throw new UsageError(`unknown command "${command}" (commands: export, plan)`);
}

/** Runs the command line when this module is the entry point (not when a test imports it). */
export async function runCommandLine(argv: readonly string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (err) {
    const message =
      err instanceof UsageError ||
      err instanceof ConfigError ||
      err instanceof OperatorError ||
      err instanceof ManifestError
        ? err.message
        : err instanceof Error
          ? err.message
          : String(err);
    process.stderr.write(`hubops: ${message}\n`);
    return 2;
  }
}

/** A reader that stops early (`hubops plan | head`) ends the command as SIGPIPE ends others. */
function quitOnClosedPipe(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EPIPE') throw error;
  process.exit(128 + 13);
}

if (import.meta.main) {
  process.stdout.on('error', quitOnClosedPipe);
  process.exitCode = await runCommandLine(process.argv.slice(2));
}
