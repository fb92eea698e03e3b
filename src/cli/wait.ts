import { usageError } from '../lib/errors.js';
import { exitWithError } from './common.js';

export async function main(_argv: string[]): Promise<void> {
  exitWithError(usageError('wait is not built yet'));
}
