import { createLogger } from '../lib/log.js';
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
      const config = loadRelayConfig({
        ...(opts.config ? { file: opts.config } : {}),
        ...(opts.listen ? { listen: opts.listen } : {}),
      });
      const logger = createLogger({ name: 'relay' });
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
