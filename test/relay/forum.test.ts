import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ConfigError, parseConfigText } from '../../src/lib/config.js';
import { silentLogger } from '../../src/lib/log.js';
import { relayConfigSchema } from '../../src/relay/config.js';
import { threadNameOf } from '../../src/relay/forum.js';
import { buildRelay, relayService } from '../../src/relay/index.js';
import { FakeDiscord } from '../fakes/discord.js';
import { alert, manyAlerts, payload } from '../helpers/alerts.js';

let discord: FakeDiscord;
before(async () => {
  discord = await new FakeDiscord({ limit: 1000 }).start();
});
after(() => discord.close());

function relay(
  discordKeys: Record<string, unknown>,
  webhookUrl: string,
  extra: Record<string, unknown> = {},
) {
  const config = relayConfigSchema.parse({
    routes: { default: { discord: { webhookUrl, ...discordKeys }, ...extra } },
    delivery: { deadline: '2s' },
  });
  const app = relayService(buildRelay(config, { logger: silentLogger(), processMetrics: false }));
  return (body: unknown) => app.request('/webhook', { method: 'POST', body: JSON.stringify(body) });
}

const TAGS = { critical: ['111'], warning: ['222'], resolved: ['333'] };

test('forum: a post per alert group, named and tagged by severity; the resolved edit stays in its post', async () => {
  const url = discord.webhook({ forum: { tags: ['111', '222', '333'] } });
  const post = relay({ threadName: '{{ alertname }} on {{ instance }}', appliedTags: TAGS }, url);
  const firing = payload([alert({ alertname: 'DiskFull', instance: 'n1' })], { groupKey: 'disk' });
  assert.equal((await post(firing)).status, 200);
  const other = payload([alert({ alertname: 'Slow', instance: 'n2' })], {
    groupKey: 'slow',
    commonLabels: { severity: 'warning' },
  });
  assert.equal((await post(other)).status, 200);

  const posts = [...discord.posts.values()].filter((p) => p.webhookId === /webhooks\/(\d+)/.exec(url)?.[1]);
  assert.deepEqual(
    posts.map((p) => [p.name, p.appliedTags]),
    [
      ['DiskFull on n1', ['111']],
      ['Slow on n2', ['222']],
    ],
  );
  const [disk] = posts;
  const resolved = payload([alert({ alertname: 'DiskFull', instance: 'n1' }, { status: 'resolved' })], {
    groupKey: 'disk',
  });
  assert.equal((await post(resolved)).status, 200);
  const messages = discord.list(url);
  assert.equal(messages.length, 2, 'the resolved notification edited, it did not post');
  const edited = messages.find((m) => m.threadId === disk?.id);
  assert.equal(edited?.edits, 1);
  assert.match(edited?.embeds[0]?.title ?? '', /RESOLVED/);
  const patch = discord.requests.filter((r) => r.method === 'PATCH').at(-1);
  assert.equal(patch?.status, 200);

  // Fired again later: the group was forgotten when it resolved, so it is a new post.
  const again = payload(
    [alert({ alertname: 'DiskFull', instance: 'n1' }, { startsAt: '2026-11-25T05:00:00Z' })],
    {
      groupKey: 'disk',
    },
  );
  assert.equal((await post(again)).status, 200);
  assert.equal([...discord.posts.values()].filter((p) => p.name === 'DiskFull on n1').length, 2);
});

test('forum: every message of a long group goes into its one post, and edits carry its thread_id', async () => {
  const url = discord.webhook({ forum: { tags: [] } });
  const post = relay({ threadName: '{{ alertname }}' }, url);
  const group = payload(manyAlerts(20, 'x'.repeat(150)), { groupKey: 'long' });
  assert.equal((await post(group)).status, 200);
  const messages = discord.list(url);
  assert.equal(messages.length, 2);
  const threadId = messages[0]?.threadId;
  assert.ok(threadId);
  assert.deepEqual(
    messages.map((m) => m.threadId),
    [threadId, threadId],
  );
  assert.equal(discord.posts.get(threadId)?.name, 'KubePodCrashLooping');
  // One more alert firing in the group: its messages are edited, in the post.
  const again = payload(
    manyAlerts(20, 'x'.repeat(150)).map((a, i) => (i === 0 ? { ...a, startsAt: '2026-11-25T05:00:00Z' } : a)),
    { groupKey: 'long' },
  );
  assert.equal((await post(again)).status, 200);
  assert.deepEqual(
    discord.list(url).map((m) => m.edits),
    [1, 1],
  );
});

test('forum: a post deleted by a moderator is created again on the next notification', async () => {
  const url = discord.webhook({ forum: { tags: [] } });
  const post = relay({ threadName: '{{ alertname }}' }, url);
  const firing = payload([alert({ alertname: 'Gone' })], { groupKey: 'gone' });
  assert.equal((await post(firing)).status, 200);
  const [first] = discord.list(url);
  discord.deletePost(first?.threadId ?? '');
  const more = payload([alert({ alertname: 'Gone' }), alert({ alertname: 'Gone', pod: 'p2' })], {
    groupKey: 'gone',
  });
  assert.equal((await post(more)).status, 200);
  const now = discord.list(url);
  assert.equal(now.length, 1);
  assert.notEqual(now[0]?.threadId, first?.threadId);
  assert.ok(discord.posts.has(now[0]?.threadId ?? ''));
});

test('suppressNotifications: flags 4096 for the listed severities and resolved, never on an edit', async () => {
  const url = discord.webhook();
  const post = relay({ suppressNotifications: ['info', 'resolved'] }, url);
  await post(payload([alert({ alertname: 'Note' })], { groupKey: 'i', commonLabels: { severity: 'info' } }));
  await post(
    payload([alert({ alertname: 'Bad' })], { groupKey: 'c', commonLabels: { severity: 'critical' } }),
  );
  await post(payload([alert({ alertname: 'Bad' }, { status: 'resolved' })], { groupKey: 'c' }));
  await post(payload([alert({ alertname: 'Old' }, { status: 'resolved' })], { groupKey: 'never-seen' }));
  const byTitle = (s: string) => discord.list(url).find((m) => (m.embeds[0]?.title ?? '').includes(s));
  assert.equal(byTitle('Note')?.flags, 4096);
  assert.equal(
    byTitle('Bad')?.flags,
    undefined,
    'critical pages as usual (the edit to resolved carries no flags)',
  );
  assert.equal(byTitle('Bad')?.edits, 1);
  assert.equal(byTitle('Old')?.flags, 4096, 'a resolved notification posted anew is quiet');
});

test('the fake refuses what Discord refuses: no post name in a forum, a post name in a text channel', async () => {
  const forum = relay({}, discord.webhook({ forum: { tags: [] } }));
  const res = await forum(payload([alert({ alertname: 'X' })]));
  assert.equal(res.status, 502);
  assert.match(await res.text(), /220001/);
  const text = relay({ threadName: '{{ alertname }}' }, discord.webhook());
  const res2 = await text(payload([alert({ alertname: 'X' })]));
  assert.equal(res2.status, 502);
  assert.match(await res2.text(), /220003/);
  const tagged = relay(
    { threadName: 'x', appliedTags: { critical: ['999'] } },
    discord.webhook({ forum: { tags: ['1'] } }),
  );
  assert.equal((await tagged(payload([alert({ alertname: 'X' })]))).status, 502, 'an unknown tag');
});

test('threadName: labels, folded whitespace, 100 characters at most, the alertname when empty', () => {
  const p = payload([alert({ alertname: 'DiskFull', instance: 'n1', cluster: 'eu' })], {
    commonLabels: { severity: 'critical', cluster: 'eu' },
  });
  assert.equal(threadNameOf('[{{ cluster }}] {{alertname}}  {{ status }}', p), '[eu] DiskFull firing');
  assert.equal(threadNameOf('{{ missing }}', p), 'DiskFull');
  const long = threadNameOf('x'.repeat(300), p);
  assert.equal(long.length, 100);
});

test('config: threadName with threadId, tags without threadName, or over 5 tags are refused with their line', () => {
  const problems = (discordYaml: string) => {
    try {
      parseConfigText(
        `routes:\n  default:\n    discord:\n      webhookUrl: https://discord.com/api/webhooks/1/t\n${discordYaml}`,
        'relay.yaml',
        relayConfigSchema,
      );
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return err.message;
    }
    assert.fail('expected a config error');
  };
  assert.match(
    problems('      threadId: "1"\n      threadName: x\n'),
    /relay\.yaml:\d+:\d+: .*threadName: set threadName .* or threadId/,
  );
  assert.match(problems('      appliedTags: { critical: ["1"] }\n'), /appliedTags: .*set threadName too/);
  assert.match(
    problems('      threadName: x\n      appliedTags: { critical: ["1","2","3","4","5","6"] }\n'),
    /at most 5 tags/,
  );
  assert.match(problems('      suppressNotifications: [loud]\n'), /suppressNotifications/);
});
