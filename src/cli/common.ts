import { Command, CommanderError } from 'commander';
import { isAppError } from '../lib/errors.js';

/**
 * A command's parser: usage errors are one line and exit 2, as every alertpath command promises.
 */
export function newCommand(name: string, description: string): Command {
  const cmd = new Command(`alertpath ${name}`)
    .description(description)
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .showSuggestionAfterError(true);
  return cmd;
}

/** Runs a parsed command action and turns any error into the right exit code. */
export async function runCommand(cmd: Command, argv: string[]): Promise<void> {
  try {
    await cmd.parseAsync(argv, { from: 'user' });
  } catch (err) {
    exitWithError(err);
  }
}

export function exitWithError(err: unknown): never {
  if (err instanceof CommanderError) {
    if (
      err.code === 'commander.helpDisplayed' ||
      err.code === 'commander.version' ||
      err.code === 'commander.help'
    ) {
      process.exit(0);
    }
    process.stderr.write(`alertpath: ${firstLine(err.message.replace(/^error: /, ''))}\n`);
    process.exit(2);
  }
  if (isAppError(err)) {
    process.stderr.write(
      `${err.code === 'AP_CONFIG_INVALID' ? err.message : `alertpath: ${firstLine(err.message)}`}\n`,
    );
    process.exit(err.exitCode);
  }
  process.stderr.write(
    `alertpath: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
