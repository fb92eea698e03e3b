import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DeadlineHeap } from '../../src/lib/heap.js';

test('the deadline heap pops exactly what a naive map would, in time order', () => {
  const op = fc.oneof(
    fc.record({
      kind: fc.constant('set' as const),
      key: fc.integer({ min: 0, max: 20 }),
      at: fc.option(fc.integer({ min: 0, max: 1000 })),
    }),
    fc.record({ kind: fc.constant('pop' as const), now: fc.integer({ min: 0, max: 1000 }) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
      const heap = new DeadlineHeap();
      const model = new Map<string, number>();
      for (const o of ops) {
        if (o.kind === 'set') {
          heap.set(String(o.key), o.at);
          if (o.at === null) model.delete(String(o.key));
          else model.set(String(o.key), o.at);
        } else {
          const got = heap.popDue(o.now);
          const want = [...model].filter(([, at]) => at <= o.now).map(([key, at]) => ({ key, at }));
          for (const w of want) model.delete(w.key);
          assert.deepEqual(
            got.map((g) => g.at),
            want.map((w) => w.at).sort((a, b) => a - b),
          );
          assert.deepEqual(new Set(got.map((g) => g.key)), new Set(want.map((w) => w.key)));
        }
        assert.equal(heap.size, model.size);
        const min = Math.min(...model.values());
        assert.equal(heap.peek(), model.size === 0 ? undefined : min);
      }
    }),
    { numRuns: 300 },
  );
});
