import type { DrillFlags } from '../drill/options.js';
import { newCommand, runCommand } from './common.js';

/**
 * `alertpath drill`: parses flags and loads src/drill/ only to run it, so `--help` starts fast.
 */
export async function main(argv: string[]): Promise<void> {
  const cmd = newCommand(
    'drill',
    'Deadman drill: silence the Watchdog, prove the observer pages, and measure how fast.',
  )
    .option('--alertmanager <url>', 'Alertmanager base URL; repeat for each peer of a cluster', collect)
    .option('--observer <url>', 'base URL of alertpath watch or Healthchecks.io (Management API v3)')
    .option('--check <uuid|slug>', "the observer's check that receives the deadman's pings")
    .option(
      '--api-key-file <file>',
      "the observer's API key (env ALERTPATH_OBSERVER_API_KEY_FILE or ALERTPATH_OBSERVER_API_KEY)",
    )
    .option('--alert <name>', 'the deadman alert (default Watchdog)')
    .option('--max-detect <duration>', 'longest acceptable period + grace (default 15m)')
    .option('--timeout <duration>', 'how long to wait for the page (default period + grace + 2m)')
    .option('--preflight-only', 'run the preflight checks, silence nothing')
    .option('--keep-silence', 'leave the silence in place when the drill fails')
    .option('--format <format>', 'text or json (default text)')
    .option('--test-alert', 'also send a synthetic AlertpathDrill alert through Alertmanager')
    .option(
      '--relay <url>',
      "confirm the test alert through this relay's GET /deliveries (repeatable)",
      collect,
    )
    .option('--report-ping <url>', 'ping this URL with the result (URL/fail when the drill failed)')
    .option('--alertmanager-bearer-file <file>', 'bearer token for Alertmanager')
    .option('--alertmanager-basic-auth-file <file>', 'user:password for Alertmanager')
    .option('--relay-bearer-file <file>', 'bearer token for the relay (its auth.bearerToken)')
    .option('--relay-basic-auth-file <file>', 'user:password for the relay (its auth.basic)')
    .addHelpText(
      'after',
      '\nExit codes: 0 passed, 1 failed (preflight, no page in time, no recovery), 2 usage error or an endpoint that cannot be reached.',
    )
    .action(async (given: Partial<DrillFlags>) => {
      const { DRILL_DEFAULTS, buildDrillPlan, runDrillCommand } = await import('../drill/index.js');
      const plan = buildDrillPlan({ ...DRILL_DEFAULTS, ...given });
      process.exitCode = await runDrillCommand(plan, { stdout: process.stdout, stderr: process.stderr });
    });
  await runCommand(cmd, argv);
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
