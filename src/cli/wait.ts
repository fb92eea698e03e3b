import { resolve } from 'node:path';
import type { WaitFlags } from '../wait/options.js';
import { newCommand, runCommand } from './common.js';

/**
 * `alertpath wait`: parses flags and loads src/wait/ only to run. Nothing of the other commands
 * (and no HTTP client) is imported for `--help`, so it starts fast.
 */
export async function main(argv: string[]): Promise<void> {
  const cmd = newCommand('wait', 'Block until every target answers as ready (systemd ExecStartPre gate).')
    .argument('<target...>', 'http(s):// URL or tcp://host:port; all must be ready')
    .option('--interval <duration>', 'time between attempt starts (default 2s)')
    .option('--timeout <duration>', 'give up after this long (default 300s)')
    .option('--attempt-timeout <duration>', 'bound on each attempt (default 3s)')
    .option('--accept <list>', 'HTTP statuses that mean ready: codes, classes, ranges (default 2xx)')
    .option('--method <method>', 'GET or HEAD (default GET)')
    .option('--header <header>', "extra request header 'Name: value' (repeatable)", collect)
    .option('--insecure', 'skip TLS certificate verification')
    .option('--ca-file <file>', 'trust this extra CA (PEM)')
    .option('--on-timeout <action>', 'fail (exit 1) or proceed (exit 0) when timed out (default fail)')
    .option('--quiet', 'print only the final line')
    .option('--json', 'print one JSON object per line')
    .option('--systemd-dropin <unit>', 'print a systemd drop-in that runs this wait before UNIT, and exit')
    .addHelpText(
      'after',
      '\nExit codes: 0 ready (or timed out with --on-timeout proceed), 1 timed out, 2 usage error, 130 interrupted.',
    )
    .action(async (targets: string[], given: Partial<WaitFlags>) => {
      const { WAIT_DEFAULTS, buildWaitPlan } = await import('../wait/options.js');
      const flags: WaitFlags = { ...WAIT_DEFAULTS, header: [], ...given };
      const plan = buildWaitPlan(targets, flags);
      if (given.systemdDropin !== undefined) {
        const { renderDropin } = await import('../wait/dropin.js');
        const args = repeatFlags(flags, given, plan.caFile);
        process.stdout.write(renderDropin(given.systemdDropin, executablePath(), [...args, ...targets]));
        return;
      }
      const { runWait } = await import('../wait/index.js');
      process.exit(await runWait(plan));
    });
  await runCommand(cmd, argv);
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The options to repeat in the drop-in's ExecStartPre: the bounds always, the rest as given. */
function repeatFlags(flags: WaitFlags, given: Partial<WaitFlags>, caFile: string | undefined): string[] {
  const args = ['--interval', flags.interval, '--timeout', flags.timeout];
  if (given.attemptTimeout !== undefined) args.push('--attempt-timeout', given.attemptTimeout);
  if (given.accept !== undefined) args.push('--accept', given.accept);
  if (given.method !== undefined) args.push('--method', given.method.toUpperCase());
  for (const h of flags.header) args.push('--header', h);
  if (given.insecure) args.push('--insecure');
  if (caFile !== undefined) args.push('--ca-file', caFile);
  if (given.onTimeout !== undefined) args.push('--on-timeout', given.onTimeout);
  if (given.quiet) args.push('--quiet');
  if (given.json) args.push('--json');
  return args;
}

/** The absolute path this alertpath was started as (the npm bin link, not Node itself). */
function executablePath(): string {
  return resolve(process.argv[1] ?? 'alertpath');
}
