import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml, html, raw } from '../../../src/watch/dashboard/html.js';
import {
  buckets,
  formatUptime,
  incidents,
  timeline,
  uptimeRatio,
} from '../../../src/watch/dashboard/uptime.js';

const H = 3_600_000;

test('timeline: the state before the first flip is its `from`; late counts as up, new and paused as no data', () => {
  const flips = [
    { at: 10 * H, from: 'up', to: 'down', reason: 'timeout' },
    { at: 12 * H, from: 'down', to: 'up', reason: 'success' },
    { at: 20 * H, from: 'up', to: 'paused', reason: 'pause' },
  ];
  const tl = timeline(flips, { from: 0, to: 24 * H, createdAt: 0, current: 'paused' });
  assert.deepEqual(tl, [
    { start: 0, end: 10 * H, state: 'up' },
    { start: 10 * H, end: 12 * H, state: 'down' },
    { start: 12 * H, end: 20 * H, state: 'up' },
    { start: 20 * H, end: 24 * H, state: 'none' },
  ]);
  assert.equal(uptimeRatio(tl, 0, 24 * H), 18 / 20);
  const b = buckets(tl, 24 * H, 6 * H, 4);
  assert.deepEqual(
    b.map((x) => [x.worst, x.upMs / H, x.downMs / H]),
    [
      ['up', 6, 0],
      ['down', 4, 2],
      ['up', 6, 0],
      ['up', 2, 0],
    ],
  );
  // Before creation there is no data; with no flips the current status holds throughout.
  const fresh = timeline([], { from: 0, to: 10 * H, createdAt: 4 * H, current: 'late' });
  assert.deepEqual(fresh, [{ start: 4 * H, end: 10 * H, state: 'up' }]);
  assert.equal(uptimeRatio([], 0, H), null);
});

test('a flip at this very moment shows in the last bucket', () => {
  const tl = timeline([{ at: 10 * H, from: 'up', to: 'down' }], {
    from: 0,
    to: 10 * H,
    createdAt: 0,
    current: 'down',
  });
  const b = buckets(tl, 10 * H, H, 10);
  assert.equal(b[9]?.worst, 'down');
  assert.equal(b[9]?.downMs, 0);
});

test('incidents pair a flip to down with the next flip away; formatUptime never rounds up to 100%', () => {
  const list = incidents([
    { at: 1, from: 'up', to: 'down', reason: 'fail' },
    { at: 5, from: 'down', to: 'up', reason: 'success' },
    { at: 9, from: 'up', to: 'down', reason: 'timeout' },
  ]);
  assert.deepEqual(list, [
    { start: 9, end: null, reason: 'timeout' },
    { start: 1, end: 5, reason: 'fail' },
  ]);
  assert.equal(formatUptime(0.99999), '99.99%');
  assert.equal(formatUptime(1), '100%');
  assert.equal(formatUptime(null), 'no data');
});

test('html escapes every interpolated string, keeps Html as is, joins arrays', () => {
  const name = `<img src=x onerror="alert('x')">&`;
  assert.equal(
    html`<p title="${name}">${name}</p>`.text,
    '<p title="&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;">&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;</p>',
  );
  assert.equal(
    html`<ul>${['a<', 'b'].map((x) => html`<li>${x}</li>`)}</ul>`.text,
    '<ul><li>a&lt;</li><li>b</li></ul>',
  );
  assert.equal(html`${raw('<b>')}${null}${undefined}${false}${0}`.text, '<b>0');
  assert.equal(escapeHtml('"\''), '&quot;&#39;');
});
