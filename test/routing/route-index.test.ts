import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RouteIndex } from '../../src/routing/route-index.js';
import { parseRecurrence } from '../../src/routing/recurrence.js';
import type { Route, TimeSegment } from '../../src/routing/types.js';

function route(fields: Partial<Route> & Pick<Route, 'id'>): Route {
  return {
    name: `route-${fields.id}`, context: 'default', prefix: '', maxLength: 12, disabled: false,
    destType: 'FS_DEST_USER', destUuid: '', body: '', dnc: '', sdnc: '', ...fields,
  };
}

function indexOf(...routes: Route[]): RouteIndex {
  const index = new RouteIndex();
  index.replaceAll(routes);
  return index;
}

const ids = (routes: readonly Route[]) => routes.map((r) => r.id);

/** The CONTRACT, stated independently of the implementation: filter, then sort. */
function referenceMatches(routes: Iterable<Route>, context: string, dest: string): Route[] {
  return [...routes]
    .filter((r) => r.context === context && dest.startsWith(r.prefix))
    .sort((a, b) => (a.maxLength !== b.maxLength ? a.maxLength - b.maxLength
      : a.prefix.length !== b.prefix.length ? b.prefix.length - a.prefix.length : a.id - b.id));
}
function referenceCandidates(routes: Iterable<Route>, context: string, dest: string): Route[] {
  return referenceMatches(routes, context, dest).filter((r) => !r.disabled && dest.length <= r.maxLength);
}

describe('RouteIndex.best', () => {
  it('prefers the smaller max_length over the longer prefix (XUI example)', () => {
    const index = indexOf(route({ id: 1, prefix: '1', maxLength: 4 }), route({ id: 2, prefix: '100', maxLength: 12 }));
    assert.equal(index.best('default', '1000')?.id, 1);
    assert.equal(index.best('default', '10000')?.id, 2);
  });

  it('on equal max_length prefers the longer prefix, then the lower id', () => {
    const index = indexOf(
      route({ id: 5, prefix: '12' }), route({ id: 3, prefix: '1' }), route({ id: 4, prefix: '12', context: 'other' }),
      route({ id: 9, prefix: '123', maxLength: 11 }), route({ id: 7, prefix: '123', maxLength: 11 }),
    );
    assert.equal(index.best('default', '129')?.id, 5);
    assert.equal(index.best('default', '1234')?.id, 7);
    assert.equal(index.best('default', '19')?.id, 3);
  });

  it('needs the number to fit: length <= max_length, inclusive', () => {
    const index = indexOf(route({ id: 1, prefix: '9', maxLength: 3 }));
    assert.equal(index.best('default', '999')?.id, 1);
    assert.equal(index.best('default', '9999'), null);
  });

  it('skips disabled routes, falling back to the next best', () => {
    const index = indexOf(route({ id: 1, prefix: '9', maxLength: 4, disabled: true }), route({ id: 2, prefix: '', maxLength: 4 }));
    assert.equal(index.best('default', '999')?.id, 2);
  });

  it('matches the empty prefix to every number, including the empty one', () => {
    const index = indexOf(route({ id: 1, prefix: '' }));
    assert.equal(index.best('default', '')?.id, 1);
    assert.equal(index.best('default', '*66')?.id, 1);
  });

  it('keeps contexts apart and knows no fallback context', () => {
    const index = indexOf(route({ id: 1, context: 'public' }));
    assert.equal(index.best('default', '123'), null);
    assert.equal(index.best('public', '123')?.id, 1);
  });

  it('treats the prefix as plain text: no wildcards, case-sensitive', () => {
    const index = indexOf(route({ id: 1, prefix: '1_' }), route({ id: 2, prefix: '%' }), route({ id: 3, prefix: 'a' }));
    assert.equal(index.best('default', '12'), null);
    assert.equal(index.best('default', '1_2')?.id, 1);
    assert.equal(index.best('default', '%1')?.id, 2);
    assert.equal(index.best('default', 'A1'), null);
  });
});

describe('RouteIndex.candidates and prefixMatches', () => {
  it('lists candidates in decision order, and every prefix match for explanations', () => {
    const index = indexOf(
      route({ id: 1, prefix: '1', maxLength: 4 }), route({ id: 2, prefix: '100', maxLength: 12 }),
      route({ id: 3, prefix: '10', maxLength: 12, disabled: true }), route({ id: 4, prefix: '', maxLength: 3 }),
      route({ id: 5, prefix: '100', maxLength: 12 }), route({ id: 6, prefix: '2' }),
    );
    assert.deepEqual(ids(index.candidates('default', '1000')), [1, 2, 5]);
    assert.deepEqual(ids(index.prefixMatches('default', '1000')), [4, 1, 2, 5, 3]);
    assert.deepEqual(ids(index.candidates('nowhere', '1000')), []);
  });
});

describe('RouteIndex maintenance', () => {
  it('upsert moves a route whose context or prefix changed', () => {
    const index = indexOf(route({ id: 1, prefix: '1' }));
    index.upsert(route({ id: 1, prefix: '2', context: 'public' }));
    assert.equal(index.best('default', '1'), null);
    assert.equal(index.best('public', '2')?.id, 1);
    assert.equal(index.size, 1);
  });

  it('remove forgets the route and its time segments; unknown ids answer false', () => {
    const index = indexOf(route({ id: 1, prefix: '1' }), route({ id: 2, prefix: '12' }));
    const segment = { id: 1, routeId: 2, recurrence: parseRecurrence('20240101T000000|PT1H'), destType: 'X', destUuid: '', body: '' };
    index.setTimeSegments(2, [segment]);
    assert.equal(index.remove(2), true);
    assert.equal(index.remove(2), false);
    assert.equal(index.best('default', '123')?.id, 1);
    assert.deepEqual(index.timeSegments(2), []);
    index.upsert(route({ id: 2, prefix: '12' }));
    assert.equal(index.best('default', '123')?.id, 2);
  });

  it('replaceAll lets a later duplicate id win', () => {
    const index = indexOf(route({ id: 1, prefix: '1' }), route({ id: 1, prefix: '2' }));
    assert.equal(index.size, 1);
    assert.equal(index.best('default', '1'), null);
    assert.equal(index.best('default', '2')?.id, 1);
  });

  it('keeps time segments in id order and refuses another route\'s segments', () => {
    const index = new RouteIndex();
    const recurrence = parseRecurrence('20240101T000000|PT1H');
    const segment = (id: number, routeId = 7): TimeSegment => ({ id, routeId, recurrence, destType: 'X', destUuid: '', body: '' });
    index.setTimeSegments(7, [segment(30), segment(10), segment(20)]);
    assert.deepEqual(index.timeSegments(7).map((s) => s.id), [10, 20, 30]);
    assert.throws(() => index.setTimeSegments(7, [segment(1, 8)]), /belongs to route 8/);
    index.setTimeSegments(7, []);
    assert.deepEqual(index.timeSegments(7), []);
    index.replaceAll([], [segment(2), segment(1)]);
    assert.deepEqual(index.timeSegments(7).map((s) => s.id), [1, 2]);
  });
});

describe('RouteIndex properties', () => {
  // Dial-pad characters live in the trie's fixed slots, others in its overflow map: cover both.
  const character = fc.constantFrom('1', '2', '*', 'x');
  const prefix = fc.string({ unit: character, maxLength: 4 });
  const number = fc.string({ unit: character, maxLength: 7 });
  const context = fc.constantFrom('a', 'b');
  const routeArb = (idMax: number) => fc.record({
    id: fc.integer({ min: 1, max: idMax }), context, prefix, maxLength: fc.integer({ min: 0, max: 7 }), disabled: fc.boolean(),
  }).map((fields) => route(fields));

  it('best, candidates and prefixMatches agree with a brute-force filter and sort', () => {
    fc.assert(fc.property(
      fc.uniqueArray(routeArb(500), { selector: (r) => r.id, maxLength: 60 }),
      fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), number), { minLength: 1, maxLength: 20 }),
      (routes, calls) => {
        const index = indexOf(...routes);
        for (const [ctx, dest] of calls) {
          const expected = referenceCandidates(routes, ctx, dest);
          assert.equal(index.best(ctx, dest), expected[0] ?? null, `best ${ctx}/${dest}`);
          assert.deepEqual(ids(index.candidates(ctx, dest)), ids(expected), `candidates ${ctx}/${dest}`);
          assert.deepEqual(ids(index.prefixMatches(ctx, dest)), ids(referenceMatches(routes, ctx, dest)));
        }
      },
    ), { numRuns: 300 });
  });

  it('incremental upserts and removes end where a fresh bulk load of the final routes does', () => {
    type Op = { kind: 'upsert'; route: Route } | { kind: 'remove'; id: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      routeArb(30).map((r): Op => ({ kind: 'upsert', route: r })),
      fc.integer({ min: 1, max: 30 }).map((id): Op => ({ kind: 'remove', id })),
    );
    const probes = ['', '1', '2', 'x', '11', '1x', 'x*', '12*', '1111', 'x*x2', '12x12x1'];
    fc.assert(fc.property(
      fc.uniqueArray(routeArb(30), { selector: (r) => r.id, maxLength: 20 }),
      fc.array(op, { maxLength: 60 }),
      (initial, ops) => {
        const incremental = indexOf(...initial);
        const model = new Map(initial.map((r) => [r.id, r]));
        for (const step of ops) {
          if (step.kind === 'upsert') {
            incremental.upsert(step.route);
            model.set(step.route.id, step.route);
          } else {
            assert.equal(incremental.remove(step.id), model.delete(step.id));
          }
        }
        const fresh = indexOf(...model.values());
        assert.equal(incremental.size, fresh.size);
        for (const ctx of ['a', 'b']) {
          for (const dest of probes) {
            assert.deepEqual(ids(incremental.prefixMatches(ctx, dest)), ids(fresh.prefixMatches(ctx, dest)), `${ctx}/${dest}`);
            assert.equal(incremental.best(ctx, dest), fresh.best(ctx, dest), `best ${ctx}/${dest}`);
          }
        }
      },
    ), { numRuns: 300 });
  });
});
