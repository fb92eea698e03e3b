import { Option } from 'commander';
import { newCommand, runCommand } from './common.js';

/**
 * `alertpath rules`: prints the rule pack (src/rules/) as a rule file, a PrometheusRule or
 * kube-prometheus-stack values. It loads nothing of the other commands.
 */
export async function main(argv: string[]): Promise<void> {
  const cmd = newCommand(
    'rules',
    'Print the alert-path rule pack (Watchdog, Alertmanager, relay, watch, Proxmox, textfiles).',
  )
    .addOption(
      new Option(
        '--format <format>',
        'a Prometheus rule file, a PrometheusRule, or kube-prometheus-stack values',
      )
        .choices(['rules', 'prometheusrule', 'kps-values'])
        .default('rules'),
    )
    .option('--namespace <namespace>', 'namespace of the PrometheusRule (default monitoring)')
    .option('--select <groups>', 'only these groups, comma-separated (see --list)')
    .option(
      '--set <key=value>',
      'override a setting such as pve.guestDownFor=10m (repeatable; see --list)',
      collect,
    )
    .option('--list', 'list the groups, their alerts and every --set key with its default')
    .addHelpText('after', '\nExit codes: 0 printed, 2 usage error (unknown key, group or format, bad value).')
    .action(
      async (flags: {
        format: string;
        namespace?: string;
        select?: string;
        set?: string[];
        list?: boolean;
      }) => {
        const { runRules } = await import('../rules/index.js');
        process.stdout.write(runRules(flags));
      },
    );
  await runCommand(cmd, argv);
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
