/**
 * The `txline` command line. Each command lives in lib/cli/commands and mirrors neo4j-admin where one
 * exists. Exit codes: 0 success, 1 failure (or success with problems), 2 usage error.
 */
import { Command, CommanderError } from 'commander';
import { TxlineError, describeError } from '../errors';
import { registerBenchCommands } from './commands/bench';
import { registerClusterCommands } from './commands/cluster';
import { BOOLEAN_FLAGS, registerDatabaseCommands } from './commands/database';
import { rewriteBooleanFlags } from './args';
import { registerServeCommand } from './commands/serve';
import { registerScheduleCommands } from './commands/schedule';

export function buildProgram(): Command {
  const program = new Command('txline')
    .description('Txline: backups, restores and transaction lag for Neo4j-style clustered graph databases')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerClusterCommands(program);
  registerServeCommand(program);
  registerDatabaseCommands(program);
  registerScheduleCommands(program);
  registerBenchCommands(program);
  // Every subcommand reports usage errors the same way (exit code 2).
  const apply = (cmd: Command) => {
    cmd.exitOverride();
    cmd.commands.forEach(apply);
  };
  apply(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(rewriteBooleanFlags(argv, BOOLEAN_FLAGS), { from: 'user' });
  } catch (e) {
    process.exitCode = exitCodeFor(e);
    if (process.exitCode === 0) return; // --help, --version
    const usage = e instanceof CommanderError;
    if (!usage) process.stderr.write(`txline: ${describeError(e)}\n`); // (commander printed its own message)
    // A job runner reading --progress=jsonl gets the failure as a line too, with its stable code
    // (lib/jobs/protocol.ts ERROR_EVENT; docs/errors.md).
    if (argv.some((a, i) => a === '--progress=jsonl' || (a === '--progress' && argv[i + 1] === 'jsonl'))) {
      const code = usage ? 'USAGE' : e instanceof TxlineError ? e.code : 'INTERNAL';
      // (The counters of the work that failed are not known here: null, as every progress line has them.)
      const line = { ts: new Date().toISOString(), event: 'error', phase: 'error', bytesDone: null, bytesTotal: null, txDone: null, txTotal: null };
      // an error's details (the dependents an artifact to delete has, ...) travel with it
      const details = e instanceof TxlineError ? (e.details ?? {}) : {};
      process.stdout.write(`${JSON.stringify({ ...details, ...line, exitCode: process.exitCode, code, message: usage ? e.message : describeError(e) })}\n`);
    }
  }
}

export function exitCodeFor(e: unknown): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    return 2;
  }
  if (e instanceof TxlineError) return e.exitCode;
  return 1;
}
