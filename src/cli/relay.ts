import { createLogger } from '../lib/log.js';
import { type SecretSources, secretOrigin } from '../lib/secret-file.js';
import type { RelayConfig } from '../relay/config.js';
import { exitWithError, newCommand, runCommand } from './common.js';

export async function main(argv: string[]): Promise<void> {
  const cmd = newCommand('relay', 'Lossless, highly available Alertmanager → Discord relay.')
    .option(
      '--config <file>',
      'YAML config file (without it, DISCORD_WEBHOOK_URL or DISCORD_WEBHOOK_URL_FILE sets the default route)',
    )
    .option('--listen <host:port>', 'listen address (default 0.0.0.0:9095, or ALERTPATH_LISTEN)')
    .action(async (opts: { config?: string; listen?: string }) => {
      const { loadRelayConfig } = await import('../relay/config.js');
      const { startRelay } = await import('../relay/index.js');
      const secretSources: SecretSources = new Map();
      const config = loadRelayConfig({
        ...(opts.config ? { file: opts.config } : {}),
        ...(opts.listen ? { listen: opts.listen } : {}),
        secretSources,
      });
      const logger = createLogger({ name: 'relay' });
      logger.info(authLine(config.auth, secretSources));
      try {
        const service = await startRelay(config, { logger });
        logger.info(
          { routes: Object.keys(config.routes), heartbeat: Boolean(config.heartbeat) },
          `relay ready on ${service.url}`,
        );
      } catch (err) {
        exitWithError(err);
      }
    });
  await runCommand(cmd, argv);
}

/** The start-up line naming the active auth and where its secret came from, never the secret. */
function authLine(auth: RelayConfig['auth'], sources: SecretSources): string {
  if (!auth) return 'auth: none (anyone who reaches the relay may post alerts; set auth in the config)';
  const ways: string[] = [];
  if (auth.bearerToken !== undefined) ways.push(`bearer token ${secretOrigin(sources, 'auth.bearerToken')}`);
  if (auth.basic)
    ways.push(
      `basic (user ${auth.basic.username}, password ${secretOrigin(sources, 'auth.basic.password')})`,
    );
  return `auth: ${ways.join(', or ')}`;
}
