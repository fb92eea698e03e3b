import { Agent } from 'undici';
import { type Clock, systemClock } from '../../lib/clock.js';
import { canonicalImageRef, type ImageRef, registryEndpointHost } from '../image-ref.js';
import { RegistryClient } from './client.js';
import { authFilePath, findCredentials, loadAuthFile } from './credentials.js';
import { KeyedLimiter } from './limiter.js';
import { Progress, summaryLine } from './progress.js';
import { type ImageVerdict, PER_REGISTRY_CONCURRENCY, type RegistryOptions } from './types.js';

export type { ImageVerdict, RegistryOptions } from './types.js';

/**
 * `audit --registry`: asks each image's registry whether the manifest still exists. Each unique
 * reference (by `canonicalImageRef`) is requested once; at most `concurrency` checks run at once,
 * and at most 4 against any one registry. Returns a verdict per canonical reference.
 */
export async function verifyImages(
  refs: ImageRef[],
  options: RegistryOptions,
): Promise<Map<string, ImageVerdict>> {
  const unique = new Map<string, ImageRef>();
  for (const ref of refs) {
    const key = canonicalImageRef(ref);
    if (!unique.has(key)) unique.set(key, ref);
  }
  const verdicts = new Map<string, ImageVerdict>();
  if (unique.size === 0) return verdicts;

  const authFile = loadAuthFile(authFilePath(options.authFile));
  const clock: Clock = options.clock ?? systemClock;
  const timeoutMs = Math.max(1, Math.round(options.timeoutMs));
  const dispatcher = new Agent({
    connections: PER_REGISTRY_CONCURRENCY,
    connect: { timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const client = new RegistryClient({
    dispatcher,
    clock,
    timeoutMs,
    insecureRegistries: options.insecureRegistries,
    credentials: (host) => findCredentials(authFile, host),
  });
  const limiter = new KeyedLimiter(Math.max(1, Math.floor(options.concurrency)), PER_REGISTRY_CONCURRENCY);
  const progress = new Progress(options.progress, unique.size);
  const registries = new Set<string>();

  try {
    await Promise.all(
      [...unique].map(async ([key, ref]) => {
        const endpoint = registryEndpointHost(ref);
        registries.add(endpoint);
        const verdict = await limiter.run(endpoint, () =>
          client.check(ref).catch(
            (err: unknown): ImageVerdict => ({
              status: 'unverified',
              detail: `check failed at ${endpoint}: ${err instanceof Error ? err.message : String(err)}`,
            }),
          ),
        );
        verdicts.set(key, verdict);
        progress.tick();
      }),
    );
  } finally {
    await dispatcher.close().catch(() => {});
  }
  progress.finish(summaryLine(verdicts.values(), registries.size));
  // Same order as the input, whatever order the answers came in.
  return new Map([...unique.keys()].map((k) => [k, verdicts.get(k)!]));
}
