import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromiumSkip, type LiveWatch, launch, liveWatch } from './browser.js';
import { PASSWORD, usersYaml } from './session.js';

/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core): sign in, watch
 * a check go down at its deadline without reloading, pause it, and read the status page with
 * JavaScript off. Waits are bounded by timeouts, never by sleeps.
 */

const UUID = '0b7e4b7c-1f7a-4c1e-8e9e-4d2f3a6b5c01';
const skip = chromiumSkip();

describe('dashboard in Chromium', { skip }, () => {
  let browser: Browser;
  let live: LiveWatch;

  before(async () => {
    browser = await launch();
    live = await liveWatch(`${await usersYaml()}channels: { mail: { type: fake } }
defaults: { channels: [mail] }
checks:
  - { name: fast-deadman, uuid: ${UUID}, period: 2s, grace: 1s, tags: [public] }
statusPages:
  - { slug: main, title: Lab status, tags: [public] }
`);
  });

  after(async () => {
    await browser?.close();
    await live?.stop();
  });

  test('sign in, see the check go down at its deadline without reloading, pause it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${live.url}/`);
      assert.match(page.url(), /\/login\?next=%2F$/);
      await page.fill('input[name=user]', 'admin');
      await page.fill('input[name=password]', PASSWORD);
      await Promise.all([page.waitForURL(`${live.url}/`), page.click('button[type=submit]')]);
      assert.equal(await page.textContent('h1'), 'Checks');

      const ping = await fetch(`${live.url}/ping/${UUID}`);
      assert.equal(await ping.text(), 'OK');
      // No reload: this marker lives as long as the document does.
      await page.evaluate('window.marker = "same document"');
      await page.waitForSelector('tr[data-status="up"]', { timeout: 5000 });
      // Deadline: 2 s period + 1 s grace after the ping; the flip is within 1 s of it, the page
      // refreshes every 2 s. Allow a loaded machine slack, but it is seconds, not a poll.
      await page.waitForSelector('tr[data-status="down"]', { timeout: 3000 + 10_000 });
      const flips = await live.watch.store.listFlips(UUID, {});
      const down = flips.find((f) => f.to === 'down');
      const lastPing = (await live.watch.store.listPings(UUID, 1))[0]?.at ?? 0;
      assert.ok(down && down.at >= lastPing + 3000, 'down at the deadline, not before');
      assert.equal(await page.evaluate('window.marker'), 'same document');
      assert.match((await page.textContent('tr[data-status="down"]')) ?? '', /down/);

      await Promise.all([page.waitForURL(`${live.url}/checks/${UUID}`), page.click('text=fast-deadman')]);
      await Promise.all([
        page.waitForURL(`${live.url}/checks/${UUID}`),
        page.click('button:has-text("Pause")'),
      ]);
      await page.waitForSelector('.status.s-paused', { timeout: 5000 });
      assert.equal((await live.watch.store.getCheck(UUID))?.state.status, 'paused');
      assert.ok(await page.isVisible('button:has-text("Resume")'));
      // When the session is gone, the next live refresh goes to the sign-in page.
      await context.clearCookies();
      await page.waitForURL(/\/login\?next=/, { timeout: 10_000 });
    } finally {
      await context.close();
    }
  });

  test('the status page reads with JavaScript disabled', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      const res = await page.goto(`${live.url}/status/main`);
      assert.equal(res?.status(), 200);
      assert.equal(await page.textContent('h1'), 'Lab status');
      assert.equal(await page.locator('ol.bars li').count(), 90);
      assert.ok(await page.isVisible('text=fast-deadman'));
      // The stylesheet applied (bars are laid out in a row), without any script.
      const height = await page.locator('ol.bars').evaluate((el) => el.getBoundingClientRect().height);
      assert.ok(height > 10 && height < 100, `bars laid out (${height}px)`);
      assert.equal(await page.locator('script').count(), 0);
    } finally {
      await context.close();
    }
  });
});
