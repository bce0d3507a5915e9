import { Command, CommanderError, Option } from 'commander';
import { APP_VERSION } from 'src/platform/version';
import { COMMANDS } from './commands';
import { cliContext, type CliIo, DEFAULT_URL, type GlobalOptions } from './context';
import { describeError } from './output';

export function buildProgram(io: CliIo): Command {
  const program = new Command('deltaone')
    .description(
      'Drive a DeltaOne platform server: models, versions, predictions, contributions, datasets, training, DeltaOne, rewards, experiments, webhooks, jobs',
    )
    .version(APP_VERSION)
    .addOption(new Option('--url <url>', `server URL (env DELTAONE_URL, default ${DEFAULT_URL})`))
    .addOption(new Option('--key <key>', 'API key (env DELTAONE_API_KEY)'))
    .option('--json', 'print answers as JSON, one document a command')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  const ctx = (cmd: Command) => cliContext(io, cmd.optsWithGlobals<GlobalOptions>());
  for (const register of COMMANDS) register(program, ctx);
  // Subcommands inherit the overrides so that `deltaone models --help` returns here instead of exiting.
  const inherit = (cmd: Command) => {
    for (const sub of cmd.commands) {
      sub.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
      inherit(sub);
    }
  };
  inherit(program);
  return program;
}

/** Runs the CLI on `argv` (without node and the script) and resolves to the exit code; it never throws. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    // Commander has already printed its own message (usage errors, help, version).
    if (error instanceof CommanderError) return error.exitCode;
    io.err(`${describeError(error)}\n`);
    return 1;
  }
}
