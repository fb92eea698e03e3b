import { silentLogger } from '../src/lib/log.js';
import { relayConfigSchema } from '../src/relay/config.js';
import { startRelay } from '../src/relay/index.js';

/** A relay in its own process (the benchmark pins it to one core): argv = webhookUrl [deadline]. */
const [webhookUrl = '', deadline = '8s'] = process.argv.slice(2);
const service = await startRelay(
  relayConfigSchema.parse({
    listen: '127.0.0.1:0',
    routes: { default: { discord: { webhookUrl } } },
    delivery: { deadline },
  }),
  { logger: silentLogger(), handleSignals: true },
);
process.stdout.write(`${service.url}\n`);
