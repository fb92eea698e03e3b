import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  DEFAULT_REPEAT_INTERVAL_MS,
  type Labels,
  matchRoutes,
  parseMatchers,
} from '../../src/audit/alertmanager-routing.js';
import { type AmRoute, emptyModel } from '../../src/audit/model.js';
import { readSource } from '../../src/audit/sources/index.js';
import { findBinary, missingBinaryMessage } from '../helpers/cli.js';

/**
 * Alertmanager routing as Alertmanager evaluates it. Each case is a config, a label set and the
 * receivers `amtool config routes test` prints for it (in order, duplicates kept); when amtool is
 * installed, the same cases are also run through it.
 */

interface Case {
  name: string;
  config: string;
  labels: Labels;
  receivers: string[];
}

const TREE = `
route:
  receiver: default
  group_by: [alertname]
  repeat_interval: 2h
  routes:
    - matchers: ['alertname = "Watchdog"']
      receiver: deadman
      repeat_interval: 1m
    - matchers: ['severity=~"warning|critical"', 'team!="infra"']
      receiver: chat
      continue: true
      routes:
        - matchers: ['{env="prod", severity="critical"}']
          receiver: pager
    - match_re:
        service: ^(?:db|cache)$
      receiver: storage
    - match:
        team: infra
      receiver: infra
      group_by: [cluster]
    - matchers: ['severity=~"crit"']
      receiver: never-anchored
    - matchers: ['msg="a, b \\"quoted\\""']
      receiver: quoted
receivers:
  - name: default
  - name: deadman
  - name: chat
  - name: pager
  - name: storage
  - name: infra
  - name: never-anchored
  - name: quoted
`;

const CASES: Case[] = [
  {
    name: 'Watchdog takes its own route',
    config: TREE,
    labels: { alertname: 'Watchdog' },
    receivers: ['deadman'],
  },
  {
    name: 'no route matches: the root',
    config: TREE,
    labels: { alertname: 'Other' },
    receivers: ['default'],
  },
  {
    name: 'continue: chat, then the next sibling that matches',
    config: TREE,
    labels: { alertname: 'X', severity: 'warning', service: 'db' },
    receivers: ['chat', 'storage'],
  },
  {
    name: 'a nested route wins over its parent, continue still applies to the parent',
    config: TREE,
    labels: { alertname: 'X', severity: 'critical', env: 'prod', team: 'infra' },
    receivers: ['infra'],
  },
  {
    name: 'nested route under a continue route',
    config: TREE,
    labels: { alertname: 'X', severity: 'critical', env: 'prod' },
    receivers: ['pager'],
  },
  {
    name: '!= matches a missing label',
    config: TREE,
    labels: { alertname: 'X', severity: 'critical' },
    receivers: ['chat'],
  },
  {
    name: 'regexes are anchored: "crit" does not match "critical"',
    config: TREE,
    labels: { alertname: 'X', severity: 'critical', team: 'other-team', service: 'web' },
    receivers: ['chat'],
  },
  {
    name: 'anchored regex matches whole value',
    config: TREE,
    labels: { severity: 'crit' },
    receivers: ['never-anchored'],
  },
  {
    name: 'quoted values with commas and escaped quotes',
    config: TREE,
    labels: { msg: 'a, b "quoted"' },
    receivers: ['quoted'],
  },
  {
    name: 'match_re is anchored too',
    config: TREE,
    labels: { service: 'dbx' },
    receivers: ['default'],
  },
];

function routeOf(config: string): AmRoute {
  const model = emptyModel();
  readSource({ file: 'alertmanager.yml', text: config, type: 'yaml' }, model);
  const route = model.alertmanagerConfigs[0]?.route;
  assert.ok(route, 'config parsed');
  return route;
}

describe('Alertmanager routing', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const got = matchRoutes(routeOf(c.config), c.labels).map((m) => m.receiver);
      assert.deepEqual(got, c.receivers);
    });
  }

  it('inherits receiver, group_by and repeat_interval; the root default is 4h', () => {
    const route = routeOf(`
route:
  receiver: parent
  group_by: [alertname, cluster]
  routes:
    - matchers: [team="a"]
      repeat_interval: 30m
      routes:
        - matchers: [severity="critical"]
          group_by: [alertname]
    - matchers: [team="b"]
receivers: [{ name: parent }]
`);
    const [deep] = matchRoutes(route, { team: 'a', severity: 'critical' });
    assert.equal(deep?.receiver, 'parent');
    assert.deepEqual(deep?.groupBy, ['alertname']);
    assert.equal(deep?.repeatInterval, 30 * 60 * 1000);
    assert.equal(deep?.repeatIntervalFrom, route.routes[0]);
    assert.equal(deep?.path.length, 3);
    const [b] = matchRoutes(route, { team: 'b' });
    assert.deepEqual(b?.groupBy, ['alertname', 'cluster']);
    assert.equal(b?.repeatInterval, DEFAULT_REPEAT_INTERVAL_MS);
    assert.equal(b?.repeatIntervalFrom, undefined);
  });

  it('parses matcher syntax the way Alertmanager does', () => {
    assert.deepEqual(parseMatchers('alertname = "Watchdog"'), [
      { name: 'alertname', type: '=', value: 'Watchdog' },
    ]);
    assert.deepEqual(parseMatchers('{a=~"x|y", b!~z}'), [
      { name: 'a', type: '=~', value: 'x|y' },
      { name: 'b', type: '!~', value: 'z' },
    ]);
    assert.deepEqual(parseMatchers('a!=""'), [{ name: 'a', type: '!=', value: '' }]);
    assert.throws(() => parseMatchers('just-a-name'), /bad matcher/);
    assert.throws(() => parseMatchers('a=~"("'), /invalid regular expression/);
  });

  it('reports a bad matcher as yaml-invalid at its line, and keeps auditing', () => {
    const model = emptyModel();
    readSource(
      {
        file: 'am.yml',
        text: 'route:\n  receiver: a\n  routes:\n    - matchers: ["nonsense"]\n      receiver: a\nreceivers: [{name: a}]\n',
        type: 'yaml',
      },
      model,
    );
    assert.equal(model.invalid.length, 1);
    assert.equal(model.invalid[0]?.location.line, 4);
    assert.equal(model.alertmanagerConfigs.length, 1);
  });
});

describe('routing agrees with amtool config routes test', () => {
  const amtool = findBinary('amtool');
  const dir = mkdtempSync(join(tmpdir(), 'alertpath-amtool-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const skip = amtool ? false : missingBinaryMessage('amtool', 'prometheus-alertmanager');
  CASES.forEach((c, i) => {
    it(c.name, { skip }, () => {
      const file = join(dir, `case-${i}.yml`);
      writeFileSync(file, c.config);
      const args = [
        'config',
        'routes',
        'test',
        `--config.file=${file}`,
        ...Object.entries(c.labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`),
      ];
      const out = execFileSync(amtool as string, args, {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
      assert.deepEqual(out.split(','), c.receivers, 'amtool agrees with the expected receivers');
      const ours = matchRoutes(routeOf(c.config), c.labels).map((m) => m.receiver);
      assert.deepEqual(ours, out.split(','));
    });
  });
});
