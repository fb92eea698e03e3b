// Preloaded with `node --import ./test/helpers/trace-imports.mjs`: records every module URL that
// gets resolved into the file named by ALERTPATH_TRACE_IMPORTS, one per line.
import { register } from 'node:module';

if (process.env.ALERTPATH_TRACE_IMPORTS) {
  register(
    `data:text/javascript,${encodeURIComponent(`
      import { appendFileSync } from 'node:fs';
      export async function resolve(specifier, context, next) {
        const result = await next(specifier, context);
        appendFileSync(${JSON.stringify(process.env.ALERTPATH_TRACE_IMPORTS)}, result.url + '\\n');
        return result;
      }
    `)}`,
  );
}
