#!/usr/bin/env node
import { packageVersion } from '../lib/version.js';

/**
 * The `alertpath` entry point. It loads only the module of the command being run, so that
 * `alertpath wait` starts in a few tens of milliseconds and never pulls in the relay or watch.
 */
const COMMANDS: Record<
  string,
  { summary: string; load: () => Promise<{ main(argv: string[]): Promise<void> }> }
> = {
  relay: {
    summary: 'lossless, highly available Alertmanager → Discord relay',
    load: () => import('./relay.js'),
  },
  watch: {
    summary: 'off-site deadman and prober, Healthchecks.io-compatible',
    load: () => import('./watch.js'),
  },
  wait: {
    summary: 'readiness gate for boot ordering (systemd ExecStartPre)',
    load: () => import('./wait.js'),
  },
  audit: {
    summary: 'CI check for alert-path single points of failure and vanished images',
    load: () => import('./audit.js'),
  },
  drill: { summary: 'automated end-to-end deadman drill', load: () => import('./drill.js') },
  rules: {
    summary: 'the alert-path rule pack (Watchdog, Proxmox, relay and watch alerts), promtool-tested',
    load: () => import('./rules.js'),
  },
};

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: alertpath <command> [options]',
    '',
    'Keeps the alert path alive, watched from outside, and checked in CI.',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  -V, --version  print the version',
    '  -h, --help     print this help; `alertpath <command> --help` for a command',
    '',
  ].join('\n');
}

async function main(argv: string[]): Promise<void> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    const target = first === 'help' ? rest[0] : undefined;
    if (target && COMMANDS[target]) return (await COMMANDS[target].load()).main(['--help']);
    process.stdout.write(help());
    if (first === undefined) process.exitCode = 2;
    return;
  }
  if (first === '-V' || first === '--version') {
    process.stdout.write(`${packageVersion()}\n`);
    return;
  }
  const command = COMMANDS[first];
  if (!command) {
    const what = first.startsWith('-') ? `unknown option '${first}'` : `unknown command '${first}'`;
    process.stderr.write(`alertpath: ${what} (commands: ${Object.keys(COMMANDS).join(', ')})\n`);
    process.exit(2);
  }
  await (await command.load()).main(rest);
}

await main(process.argv.slice(2));
