import { createLogger } from '../lib/log.js';
import { exitWithError, newCommand, runCommand } from './common.js';

interface WatchFlags {
  config?: string;
  data?: string;
  database?: string;
  listen?: string;
  baseUrl?: string;
}

export async function main(argv: string[]): Promise<void> {
  const env = process.env;
  const cmd = newCommand('watch', 'Off-site deadman, Healthchecks.io-compatible: pages when pings stop.')
    .option(
      '--config <file>',
      'YAML config file (env ALERTPATH_CONFIG); without one, checks come from the API',
    )
    .option('--data <dir>', 'data directory; the SQLite file is watch.db inside (env ALERTPATH_DATA)')
    .option('--database <url>', 'a postgres:// URL selects PostgreSQL (env ALERTPATH_DATABASE_URL)')
    .option('--listen <host:port>', 'listen address, default 0.0.0.0:8000 (env ALERTPATH_LISTEN)')
    .option('--base-url <url>', 'public URL, used in ping URLs and links (env ALERTPATH_BASE_URL)')
    .action(async (flags: WatchFlags) => {
      const pick = (flag: string | undefined, name: string) => flag ?? (env[name] || undefined);
      const configFile = pick(flags.config, 'ALERTPATH_CONFIG');
      const databaseUrl = pick(flags.database, 'ALERTPATH_DATABASE_URL');
      const listen = pick(flags.listen, 'ALERTPATH_LISTEN');
      const baseUrl = pick(flags.baseUrl, 'ALERTPATH_BASE_URL');
      const { startWatch } = await import('../watch/index.js');
      const logger = createLogger({ name: 'watch' });
      try {
        const { watch, baseUrl: url } = await startWatch(
          {
            dataDir: pick(flags.data, 'ALERTPATH_DATA') ?? './alertpath-data',
            ...(configFile ? { configFile } : {}),
            ...(databaseUrl ? { databaseUrl } : {}),
            ...(listen ? { listen } : {}),
            ...(baseUrl ? { baseUrl } : {}),
          },
          { logger },
        );
        const checks = (await watch.store.listChecks()).length;
        logger.info(
          { checks, channels: Object.keys(watch.config().channels).length, store: watch.store.kind },
          `watch ready on ${url}`,
        );
        process.stdout.write(
          `alertpath watch: serving ${url}  (ping URLs: ${url}/ping/<uuid> and ${url}/ping/<pingKey>/<slug>; API: ${url}/api/v3/)\n`,
        );
      } catch (err) {
        exitWithError(err);
      }
    });
  cmd
    .command('hash-password')
    .description(
      'read a dashboard password from stdin (or a prompt on a terminal) and print its scrypt hash as the last line',
    )
    .action(async () => {
      try {
        const { readPassword } = await import('../lib/read-password.js');
        const { hashPassword } = await import('../watch/dashboard/password.js');
        const password = await readPassword('Password: ');
        if (password.length === 0) {
          process.stderr.write('alertpath: an empty password cannot sign in\n');
          process.exit(2);
        }
        process.stdout.write(`${await hashPassword(password)}\n`);
      } catch (err) {
        exitWithError(err);
      }
    });
  await runCommand(cmd, argv);
}
