import { silentLogger } from '../src/lib/log.js';
import { relayConfigSchema } from '../src/relay/config.js';
import { startRelay } from '../src/relay/index.js';

/**
 * A relay in its own process (the benchmark pins it to one core): argv = webhookUrl [deadline]
 * [listen] [peersJson], where peersJson is the `peers:` block as JSON (`{"urls": [...], "token": "..."}`).
 */
const [webhookUrl = '', deadline = '8s', listen = '127.0.0.1:0', peers] = process.argv.slice(2);
const service = await startRelay(
  relayConfigSchema.parse({
    listen,
    routes: { default: { discord: { webhookUrl } } },
    delivery: { deadline },
    ...(peers ? { peers: JSON.parse(peers) as unknown } : {}),
  }),
  { logger: silentLogger(), handleSignals: true },
);
process.stdout.write(`${service.url}\n`);
