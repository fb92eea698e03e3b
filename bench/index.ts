import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * `npm run bench [name...]` runs every `bench/*.bench.ts` (compiled), or only the named ones,
 * one after the other. Each prints its own figures; nothing here is asserted.
 */
const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => /\.bench\.(js|ts)$/.test(f))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

for (const file of files) {
  process.stdout.write(`\n=== ${file.replace(/\.bench\.(js|ts)$/, '')}\n`);
  const mod = (await import(pathToFileURL(`${here}/${file}`).href)) as { default: () => Promise<void> };
  await mod.default();
}
