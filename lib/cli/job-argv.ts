/**
 * Reads a job's argv back into the job protocol's input (lib/jobs/protocol.ts) with the CLI's own commander
 * program: the same options, parsers and defaults as `txline` itself, with the commands' work replaced by
 * capturing what they were given. The protocol's round-trip tests (tests/jobs/protocol.test.ts) use it to prove
 * that `jobArgv` says what the CLI understands.
 */
import { Command } from 'commander';
import { TxlineError } from '../errors';
import { checkJobSpec, type JobSpec } from '../jobs/protocol';
import { rewriteBooleanFlags } from './args';
import { BOOLEAN_FLAGS, registerDatabaseCommands } from './commands/database';

export async function parseJobArgv(argv: string[]): Promise<JobSpec> {
  let captured: JobSpec | undefined;
  const program = new Command('txline').exitOverride();
  registerDatabaseCommands(program, (spec) => {
    captured = spec;
  });
  const quiet = (cmd: Command) => {
    cmd.exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
    cmd.commands.forEach(quiet);
  };
  quiet(program);
  await program.parseAsync(rewriteBooleanFlags(argv, BOOLEAN_FLAGS), { from: 'user' });
  if (!captured) throw new TxlineError('USAGE', `not a job's command: txline ${argv.join(' ')}`);
  return checkJobSpec(captured);
}
