import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { WebhookPayload } from '../../src/alertmanager/payload.js';
import { escapeMarkdown } from '../../src/discord/index.js';
import { relayConfigSchema } from '../../src/relay/config.js';
import { renderNotification } from '../../src/relay/render.js';
import { validateMessage } from '../fakes/discord.js';
import { alert, payload } from '../helpers/alerts.js';

const route = relayConfigSchema.parse({
  routes: {
    default: {
      discord: { webhookUrl: 'https://discord.com/api/webhooks/1/t' },
      mentions: { critical: ['<@&112233>'] },
      flavor: { critical: ['The pager stirs.'], resolved: ['Quiet again.'] },
    },
  },
}).routes.default as NonNullable<ReturnType<typeof relayConfigSchema.parse>['routes'][string]>;

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.constantFrom(
    '🔥🚨💥',
    '障害が発生しました：データベース',
    '**bold** _it_ `code` ||spoiler|| > quote',
    '@everyone @here',
  ),
  fc.string({ unit: 'binary', minLength: 1000, maxLength: 10_000 }),
);
const labels = fc.dictionary(
  fc.constantFrom(
    'alertname',
    'namespace',
    'pod',
    'container',
    'node',
    'reason',
    'instance',
    'deployment',
    'severity',
    'job',
  ),
  text,
  {
    maxKeys: 10,
  },
);
const annotations = fc.dictionary(fc.constantFrom('description', 'summary', 'runbook_url'), text, {
  maxKeys: 3,
});
const alertArb = fc.record({
  status: fc.constantFrom('firing' as const, 'resolved' as const),
  labels,
  annotations,
  startsAt: fc.constantFrom('2026-11-25T03:00:00Z', '2026-11-24T01:00:00.123Z', ''),
  endsAt: fc.constant(''),
  generatorURL: fc.oneof(fc.constant('http://prom:9090/graph'), fc.webUrl(), text),
  fingerprint: fc.string({ maxLength: 16 }),
});
const payloadArb = fc.record({
  version: fc.constant('4'),
  groupKey: fc.string(),
  truncatedAlerts: fc.nat({ max: 5 }),
  status: fc.constantFrom('firing' as const, 'resolved' as const),
  receiver: text,
  groupLabels: labels,
  commonLabels: labels,
  commonAnnotations: annotations,
  externalURL: fc.constantFrom('http://am:9093', ''),
  alerts: fc.array(alertArb, { minLength: 1, maxLength: 500 }),
}) as fc.Arbitrary<WebhookPayload>;

function headline(a: WebhookPayload['alerts'][number]): string {
  return a.annotations.description || a.annotations.summary || a.labels.instance || 'unknown';
}

test('every rendered message stays inside every Discord limit and carries every alert', () => {
  fc.assert(
    fc.property(payloadArb, (p) => {
      const messages = renderNotification(p, route, { random: () => 0 });
      assert.ok(messages.length >= 1);
      for (const m of messages) {
        assert.equal(validateMessage(m as unknown as Record<string, unknown>, true), undefined);
        assert.deepEqual(m.allowed_mentions.parse, []);
      }
      const all = messages.flatMap((m) => (m.embeds ?? []).map((e) => e.description ?? '')).join('\n');
      const expected = new Map<string, number>();
      for (const a of p.alerts) {
        const prefix = escapeMarkdown(headline(a))
          .slice(0, 24)
          .replace(/[\uD800-\uDBFF]$/, '');
        expected.set(prefix, (expected.get(prefix) ?? 0) + 1);
      }
      for (const [prefix, n] of expected) {
        const found = all
          .split(`• `)
          .filter((chunk) => chunk.startsWith(prefix) || chunk.startsWith(`🟢 resolved: ${prefix}`)).length;
        assert.ok(found >= n, `alert "${prefix}" appears ${found} times, expected ${n}`);
      }
    }),
    { numRuns: 60 },
  );
});

test('a long group continues in further embeds, then in messages titled (part i/n)', () => {
  const alerts = Array.from({ length: 300 }, (_, i) =>
    alert(
      { alertname: 'DiskFull', instance: `node-${i}` },
      { annotations: { description: `disk ${'x'.repeat(200)} ${i}` } },
    ),
  );
  const messages = renderNotification(payload(alerts), route, { random: () => 0 });
  assert.ok(messages.length > 1);
  messages.forEach((m, i) => {
    assert.match(m.embeds?.[0]?.title ?? '', new RegExp(`\\(part ${i + 1}/${messages.length}\\)$`));
    assert.ok((m.embeds?.length ?? 0) <= 10);
  });
  assert.ok(
    (messages[0]?.embeds?.length ?? 0) > 1,
    'the first message uses several embeds before a new message',
  );
});

test('the seed proxy look: title, colour, bullets, context line, links, footer and timestamp', () => {
  const p = payload(
    [
      alert(
        {
          alertname: 'KubePodCrashLooping',
          namespace: 'monitoring',
          pod: 'relay-0',
          container: 'relay',
          node: 'k8s-1',
          reason: 'CrashLoopBackOff',
          severity: 'critical',
        },
        {
          annotations: { summary: 'Pod is crash looping', runbook_url: 'https://runbooks.example/crash' },
          startsAt: '2026-11-25T02:00:00Z',
        },
      ),
      alert(
        { alertname: 'KubePodCrashLooping', namespace: 'monitoring', pod: 'relay-1', severity: 'critical' },
        { startsAt: '2026-11-25T01:00:00Z' },
      ),
    ],
    { receiver: 'discord-critical' },
  );
  const [m] = renderNotification(p, route, { random: () => 0 });
  const e = m?.embeds?.[0];
  assert.equal(e?.title, '🔴 FIRING (2) KubePodCrashLooping [critical]');
  assert.equal(e?.color, 0xff0000);
  assert.equal(m?.content, '<@&112233>');
  assert.deepEqual(m?.allowed_mentions, { parse: [], roles: ['112233'], users: [] });
  const d = e?.description ?? '';
  assert.ok(
    d.startsWith(
      'The pager stirs.\n• Pod is crash looping\n└ monitoring/relay-0 │ container: relay │ node: k8s-1 │ reason: CrashLoopBackOff\n',
    ),
  );
  assert.match(d, /\[Runbook\]\(https:\/\/runbooks\.example\/crash\)/);
  assert.match(
    d,
    /\[Silence\]\(http:\/\/alertmanager\.example:9093\/#\/silences\/new\?filter=%7Balertname%3D%22KubePodCrashLooping%22/,
  );
  assert.match(d, /• unknown\n└ monitoring\/relay-1/);
  assert.equal(e?.footer?.text, 'discord-critical');
  assert.equal(e?.timestamp, '2026-11-25T01:00:00.000Z');
});

test('resolved groups are green with no mentions; warning and info have their own look', () => {
  const resolved = renderNotification(
    payload([alert({ alertname: 'A' }, { status: 'resolved' })], { status: 'resolved' }),
    route,
    {
      random: () => 0,
    },
  );
  assert.equal(resolved[0]?.embeds?.[0]?.color, 0x00ff00);
  assert.match(resolved[0]?.embeds?.[0]?.title ?? '', /^🟢 RESOLVED \(1\) A/);
  assert.equal(resolved[0]?.content, undefined);
  const warning = renderNotification(
    payload([alert({ alertname: 'B' })], { commonLabels: { severity: 'warning' } }),
    route,
  );
  assert.equal(warning[0]?.embeds?.[0]?.color, 0xff8000);
  assert.match(warning[0]?.embeds?.[0]?.title ?? '', /^🟠 FIRING \(1\) B \[warning\]/);
  const info = renderNotification(
    payload([alert({ alertname: 'C' })], { commonLabels: { severity: 'info' } }),
    route,
  );
  assert.equal(info[0]?.embeds?.[0]?.color, 0x3498db);
});

test('@everyone and markdown in label values are neutralised', () => {
  const [m] = renderNotification(
    payload([
      alert({ alertname: 'X', namespace: '@everyone' }, { annotations: { summary: '@here **now**' } }),
    ]),
    route,
  );
  const d = m?.embeds?.[0]?.description ?? '';
  assert.doesNotMatch(d, /@everyone|@here/);
  assert.match(d, /\\\*\\\*now\\\*\\\*/);
});

test('an alert that cannot be rendered is shown degraded and reported; its group still renders', () => {
  const broken = alert({ alertname: 'Broken', instance: 'b' });
  Object.defineProperty(broken, 'annotations', {
    get() {
      throw new Error('boom');
    },
  });
  const reported: string[] = [];
  const messages = renderNotification(
    payload([alert({ alertname: 'Broken', instance: 'a' }), broken]) as WebhookPayload,
    route,
    {
      random: () => 0,
      onAlertError: (a, err) => reported.push(`${a.labels.instance}: ${(err as Error).message}`),
    },
  );
  const text = messages.flatMap((m) => (m.embeds ?? []).map((e) => e.description)).join('\n');
  assert.match(text, /• a/);
  assert.match(text, /• Broken \(could not be rendered; see the relay's log\)/);
  assert.deepEqual(reported, ['b: boom']);
  for (const m of messages)
    assert.equal(validateMessage(m as unknown as Record<string, unknown>, true), undefined);
});
