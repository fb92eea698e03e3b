import { writeFileSync } from 'node:fs';
import { parseDuration } from '../lib/duration.js';
import { usageError } from '../lib/errors.js';
import { packageVersion } from '../lib/version.js';
import { newCommand, runCommand } from './common.js';

interface AuditFlags {
  format?: string;
  output?: string;
  failOn: string;
  config?: string;
  rule: string[];
  listRules?: boolean;
  registry?: boolean;
  registryConcurrency: string;
  registryTimeout: string;
  insecureRegistry: string[];
  render: string;
}

const LEVELS = ['off', 'info', 'warning', 'error'] as const;
const FAIL_ON = ['error', 'warning', 'info', 'never'] as const;
const RENDER = ['auto', 'kustomize', 'off'] as const;

const collect = (value: string, previous: string[]) => [...previous, value];

export async function main(argv: string[]): Promise<void> {
  const cmd = newCommand(
    'audit',
    'Static check of a GitOps repository for alert-path single points of failure and image rot.',
  )
    .argument('[paths...]', 'files or folders to audit, or - for a YAML stream on stdin', ['.'])
    .option('--format <format>', 'text, json or sarif (--list-rules: text or json)', undefined)
    .option('--output <file>', 'write the report to FILE instead of stdout')
    .option('--fail-on <level>', 'exit 1 on findings at or above: error, warning, info or never', 'error')
    .option('--config <file>', 'audit config (default: .alertpath.yaml in the first PATH)')
    .option('--rule <id=level>', 'set a rule to off, info, warning or error (repeatable)', collect, [])
    .option('--list-rules', 'print the rules and exit')
    .option('--registry', 'also ask each registry whether every image still exists')
    .option('--registry-concurrency <n>', 'registry requests in flight at once', '8')
    .option('--registry-timeout <duration>', 'timeout per registry request', '10s')
    .option(
      '--render <mode>',
      'kustomize overlays: auto (applied natively), kustomize (kustomize build), off',
      'auto',
    )
    .option('--insecure-registry <host>', 'allow plain http for this registry (repeatable)', collect, [])
    .action(async (paths: string[], opts: AuditFlags) => {
      process.exitCode = await audit(paths, opts);
    });
  await runCommand(cmd, argv);
}

async function audit(paths: string[], opts: AuditFlags): Promise<number> {
  const { renderRulesText, rulesAsJson, findRule, ruleIds } = await import('../audit/rules/index.js');
  if (opts.listRules) {
    const format = opts.format ?? 'text';
    if (format !== 'text' && format !== 'json')
      throw usageError(`--list-rules --format must be text or json, not "${format}"`);
    const out = format === 'json' ? `${JSON.stringify(rulesAsJson(), null, 2)}\n` : renderRulesText();
    emit(out, opts.output);
    return 0;
  }
  const format = opts.format ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'sarif')
    throw usageError(`--format must be text, json or sarif, not "${format}"`);
  if (!(FAIL_ON as readonly string[]).includes(opts.failOn))
    throw usageError(`--fail-on must be error, warning, info or never, not "${opts.failOn}"`);
  const ruleOverrides: Record<string, (typeof LEVELS)[number]> = {};
  for (const r of opts.rule) {
    const m = /^([^=\s]+)=(\S+)$/.exec(r.trim());
    if (!m) throw usageError(`--rule "${r}": expected ID=off|info|warning|error`);
    const [, id, level] = m as unknown as [string, string, string];
    if (!findRule(id)) throw usageError(`--rule ${id}: unknown rule (rules: ${ruleIds().join(', ')})`);
    if (!(LEVELS as readonly string[]).includes(level))
      throw usageError(`--rule ${id}=${level}: the level must be off, info, warning or error`);
    ruleOverrides[id] = level as (typeof LEVELS)[number];
  }
  if (!(RENDER as readonly string[]).includes(opts.render))
    throw usageError(`--render must be auto, kustomize or off, not "${opts.render}"`);
  const concurrency = Number(opts.registryConcurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256)
    throw usageError(
      `--registry-concurrency must be a whole number from 1 to 256, not "${opts.registryConcurrency}"`,
    );
  const timeoutMs = parseDuration(opts.registryTimeout, '--registry-timeout');
  if (timeoutMs <= 0) throw usageError('--registry-timeout must be more than 0');
  if (paths.filter((p) => p === '-').length > 1) throw usageError('- (stdin) can be given only once');

  const { loadAuditConfig } = await import('../audit/config.js');
  const { runAudit, exitCodeFor } = await import('../audit/index.js');
  const { renderReport } = await import('../audit/report/index.js');
  const config = loadAuditConfig(opts.config, paths[0]);

  let registry: Parameters<typeof runAudit>[0]['registry'];
  if (opts.registry) {
    const { verifyImages } = await import('../audit/registry/index.js');
    registry = {
      verify: verifyImages,
      options: {
        concurrency,
        timeoutMs,
        insecureRegistries: opts.insecureRegistry,
        progress: process.stderr,
        ...(process.env.REGISTRY_AUTH_FILE ? { authFile: process.env.REGISTRY_AUTH_FILE } : {}),
      },
    };
  }

  const result = await runAudit({
    paths,
    cwd: process.cwd(),
    config,
    ruleOverrides,
    readStdin,
    render: opts.render as (typeof RENDER)[number],
    ...(registry ? { registry } : {}),
  });
  const color = !opts.output && wantsColor();
  emit(renderReport(result, format, { color, version: packageVersion() }), opts.output);
  if (opts.output) {
    const { summaryLine } = await import('../audit/report/text.js');
    process.stderr.write(`${summaryLine(result)}\n`);
  }
  return exitCodeFor(result.findings, opts.failOn as (typeof FAIL_ON)[number]);
}

function emit(text: string, output: string | undefined): void {
  if (!output) {
    process.stdout.write(text);
    return;
  }
  try {
    writeFileSync(output, text);
  } catch (err) {
    throw usageError(`--output ${output}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function wantsColor(): boolean {
  if (process.env.NO_COLOR) return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return process.stdout.isTTY === true;
}

const STDIN_LIMIT = 256 * 1024 * 1024;

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > STDIN_LIMIT) {
      throw usageError(`stdin: over ${STDIN_LIMIT / 1024 / 1024} MB; audit the files instead`);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}
