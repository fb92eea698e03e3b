import { hasBuildArg, parseImageRef } from '../image-ref.js';
import type { ImageUse, Location, Model, ObjectRef, Workload } from '../model.js';
import { NO_IGNORE } from '../model.js';

/** Records one image reference; variables and templates are kept but not parsed, with a note. */
export function addImage(
  model: Model,
  raw: string,
  source: ImageUse['source'],
  location: Location,
  extra: { object?: ObjectRef; workload?: Workload; ignore?: ReadonlySet<string> } = {},
): ImageUse | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  const use: ImageUse = {
    raw: text,
    source,
    location,
    alertPath: false,
    ignore: extra.ignore ?? NO_IGNORE,
  };
  if (extra.object) use.object = extra.object;
  if (extra.workload) use.workload = extra.workload;
  if (hasBuildArg(text) || text.includes('{{')) {
    use.parseError = 'uses a variable or template';
    model.notes.push({
      file: location.file,
      message: `${location.line}:${location.column}: image "${text}" uses a variable or template; not checked`,
    });
  } else {
    const parsed = parseImageRef(text);
    if (parsed.ok) use.ref = parsed.ref;
    else {
      use.parseError = parsed.reason;
      model.notes.push({
        file: location.file,
        message: `${location.line}:${location.column}: ${parsed.reason}`,
      });
    }
  }
  model.images.push(use);
  return use;
}
