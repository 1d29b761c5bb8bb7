import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RouteIndex } from '../../src/routing/route-index.js';
import type { Route } from '../../src/routing/types.js';

// The index keeps prefixes of up to 13 dial-pad characters in a hash of prefix codes with per-length
// rows (numbers shorter than 16), and everything else in a trie: cover the borders of both.
function route(fields: Pick<Route, 'id' | 'context' | 'prefix' | 'maxLength' | 'disabled'>): Route {
  return { name: `route-${fields.id}`, destType: 'FS_DEST_USER', destUuid: '', body: '', dnc: '', sdnc: '', ...fields };
}

const ids = (routes: readonly Route[]) => routes.map((r) => r.id);

function referenceMatches(routes: Iterable<Route>, context: string, dest: string): Route[] {
  return [...routes]
    .filter((r) => r.context === context && dest.startsWith(r.prefix))
    .sort((a, b) => a.maxLength - b.maxLength || b.prefix.length - a.prefix.length || a.id - b.id);
}

describe('RouteIndex with long prefixes and numbers', () => {
  const character = fc.constantFrom('1', '1', '1', '2', '#', 'x');
  const prefix = fc.string({ unit: character, maxLength: 16 });
  const context = fc.constantFrom('a', 'b');
  const routeArb = fc.record({
    id: fc.integer({ min: 1, max: 40 }), context, prefix, maxLength: fc.integer({ min: -1, max: 22 }), disabled: fc.boolean(),
  }).map(route);
  type Op = { kind: 'upsert'; route: Route } | { kind: 'remove'; id: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    routeArb.map((r): Op => ({ kind: 'upsert', route: r })),
    fc.integer({ min: 1, max: 40 }).map((id): Op => ({ kind: 'remove', id })),
  );
  const number = fc.string({ unit: character, maxLength: 20 });

  it('agrees with a brute-force filter and sort after bulk loads, upserts and removes', () => {
    fc.assert(fc.property(
      fc.array(routeArb, { maxLength: 30 }),
      fc.array(op, { maxLength: 40 }),
      fc.array(fc.tuple(context, number), { minLength: 1, maxLength: 15 }),
      (initial, ops, calls) => {
        const index = new RouteIndex();
        index.replaceAll(initial);
        const model = new Map(initial.map((r) => [r.id, r]));
        const check = () => {
          for (const [ctx, dest] of calls) {
            const matches = referenceMatches(model.values(), ctx, dest);
            const candidates = matches.filter((r) => !r.disabled && dest.length <= r.maxLength);
            assert.equal(index.best(ctx, dest), candidates[0] ?? null, `best ${ctx}/${dest}`);
            assert.deepEqual(ids(index.candidates(ctx, dest)), ids(candidates), `candidates ${ctx}/${dest}`);
            assert.deepEqual(ids(index.prefixMatches(ctx, dest)), ids(matches), `matches ${ctx}/${dest}`);
          }
        };
        check();
        for (const step of ops) {
          if (step.kind === 'upsert') {
            index.upsert(step.route);
            model.set(step.route.id, step.route);
          } else {
            assert.equal(index.remove(step.id), model.delete(step.id));
          }
          check();
        }
        assert.equal(index.size, model.size);
      },
    ), { numRuns: 200 });
  });

  it('routeListsOnPath after best sees changes made in between', () => {
    const index = new RouteIndex();
    index.replaceAll([route({ id: 1, context: 'a', prefix: '1', maxLength: 9, disabled: false })]);
    assert.equal(index.best('a', '1234')?.id, 1);
    index.upsert(route({ id: 2, context: 'a', prefix: '123', maxLength: 9, disabled: false }));
    assert.deepEqual(index.routeListsOnPath('a', '1234').map(ids), [[1], [2]]);
    assert.equal(index.best('a', '1234')?.id, 2);
    index.routeListsOnPath('a', '9');
    assert.deepEqual(index.routeListsOnPath('a', '1234').map(ids), [[1], [2]]);
  });
});
