import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { judge, refusalOf, type Blacklist, type RoutingLists } from '../../src/routing/blacklist.js';
import { decide } from '../../src/routing/decide.js';
import { NumberMap } from '../../src/routing/number-map.js';
import { translate, translationTableOf, type TranslationTable } from '../../src/routing/number-translation.js';
import { RouteIndex } from '../../src/routing/route-index.js';
import type { Route } from '../../src/routing/types.js';

const set = (numbers: string[]) => NumberMap.set(numbers);
const list = (listType: number, limitUserType: number, numbers: string[]): Blacklist =>
  ({ id: 7, name: 'spam', listType, limitUserType, numbers: set(numbers) });
const table = (type: string, pairs: [string, string][]): TranslationTable => ({ id: 3, name: 'nts', type, numbers: NumberMap.of(pairs) });

describe('NumberMap', () => {
  it('finds the longest listed prefix, keeping leading zeros apart and numbers of any characters', () => {
    const numbers = NumberMap.of<string>([['0', 'a'], ['0755', 'b'], ['075512345678901234', 'long'], ['755', 'c'], ['+86', 'd'], ['anonymous', 'e']]);
    assert.deepEqual(numbers.longestPrefix('07551234'), { length: 4, value: 'b' });
    assert.deepEqual(numbers.longestPrefix('0'), { length: 1, value: 'a' });
    assert.deepEqual(numbers.longestPrefix('7551'), { length: 3, value: 'c' });
    assert.deepEqual(numbers.longestPrefix('0755123456789012345'), { length: 18, value: 'long' });
    assert.deepEqual(numbers.longestPrefix('+8613800'), { length: 3, value: 'd' });
    assert.deepEqual(numbers.longestPrefix('anonymous'), { length: 9, value: 'e' });
    assert.equal(numbers.longestPrefix('1755'), null);
    assert.equal(numbers.longestPrefix(''), null);
    assert.equal(numbers.exact('0755'), 'b');
    assert.equal(numbers.exact('07551'), undefined);
    assert.equal(numbers.exact('755'), 'c');
    assert.equal(numbers.size, 6);
  });

  it('agrees with a plain scan (maps and sets) of the listed numbers on random numbers', () => {
    const digits = fc.stringMatching(/^[0-9+*]{0,17}$/);
    fc.assert(fc.property(fc.array(fc.tuple(digits.filter((n) => n !== ''), fc.integer())), digits, (entries, number) => {
      const map = NumberMap.of(entries);
      const last = new Map(entries);
      let expected: { length: number; value: number } | null = null;
      for (const [listed, value] of last) {
        if (number.startsWith(listed) && (expected === null || listed.length > expected.length)) expected = { length: listed.length, value };
      }
      assert.deepEqual(map.longestPrefix(number), expected);
      assert.equal(map.exact(number), number === '' ? undefined : last.get(number));
      const asSet = NumberMap.set(entries.map(([listed]) => listed));
      assert.equal(asSet.longestPrefix(number)?.length, expected?.length);
      assert.equal(asSet.size, last.size);
    }), { numRuns: 500 });
  });
});

describe('blacklist verdicts', () => {
  it('a blacklist refuses a listed caller (limit_user_type 0) and ignores the callee', () => {
    const verdict = judge(list(0, 0, ['0755']), '075512345', '0755');
    assert.equal(verdict.rejected, true);
    assert.deepEqual(verdict.checks, [{ party: 'caller', number: '075512345', listed: '0755', passed: false }]);
    assert.equal(refusalOf(verdict), 'caller "075512345" is on blacklist "spam" (id 7) (listed as 0755)');
    assert.equal(judge(list(0, 0, ['0755']), '0756', '0755').rejected, false);
  });

  it('limit_user_type 1 checks the callee only, 2 both: a blacklist refuses when either is listed', () => {
    assert.equal(judge(list(0, 1, ['110']), '110', '120').rejected, false);
    assert.equal(judge(list(0, 1, ['110']), '120', '1100').rejected, true);
    assert.equal(judge(list(0, 2, ['110']), '110', '120').rejected, true);
    assert.equal(judge(list(0, 2, ['110']), '120', '110').rejected, true);
    assert.equal(judge(list(0, 2, ['110']), '120', '130').rejected, false);
  });

  it('a whitelist admits only listed numbers: with both, both must be listed', () => {
    assert.equal(judge(list(1, 0, ['1001']), '1001', 'x').rejected, false);
    const stranger = judge(list(1, 0, ['1001']), '1002', 'x');
    assert.equal(stranger.rejected, true);
    assert.equal(refusalOf(stranger), 'caller "1002" is not on whitelist "spam" (id 7)');
    assert.equal(judge(list(1, 0, ['1001']), '', 'x').rejected, true, 'no caller number is not on any list');
    assert.equal(judge(list(1, 2, ['1001', '2']), '1001', '2000').rejected, false);
    assert.equal(judge(list(1, 2, ['1001', '2']), '1001', '3000').rejected, true);
    assert.equal(refusalOf(judge(list(1, 2, ['1001', '2']), '1001', '2000')), null);
  });
});

describe('number translation', () => {
  it('reads the table id from CherryPBX\'s rule form only', () => {
    assert.equal(translationTableOf('s/prefix_nts_3///'), 3);
    assert.equal(translationTableOf('s/prefix_nts_12/original_number/nts_number/'), 12);
    assert.equal(translationTableOf('s/exact_nts_4/'), 4);
    assert.equal(translationTableOf('s/prefix_nts_1234567890/'), 1234567890);
    for (const rule of ['', '-0+86', '/^(.*)$/9$1/', 's/prefix_nts_/', 's/prefix_nts_0/', 's/prefix_nts_03/', 'xs/prefix_nts_3/', 's/prefix_nts_3',
      's/prefix_nts_3x/', 's/prefix_nts_12345678901/', 's/other_nts_3/']) {
      assert.equal(translationTableOf(rule), null, rule);
    }
  });

  it('exact tables need the whole number, prefix tables replace the longest matching start', () => {
    const exact = table('exact', [['1001', '8001']]);
    assert.deepEqual(translate(exact, '1001'), { tableId: 3, name: 'nts', type: 'exact', from: '1001', to: '8001', matched: '1001' });
    assert.deepEqual(translate(exact, '10011'), { tableId: 3, name: 'nts', type: 'exact', from: '10011', to: '10011', matched: null });
    const prefix = table('prefix', [['0', '86'], ['0755', '+86755']]);
    assert.equal(translate(prefix, '075512345').to, '+8675512345');
    assert.equal(translate(prefix, '0201').to, '86201');
    assert.equal(translate(prefix, '1001').to, '1001');
  });
});

describe('decide with lists', () => {
  const route = (fields: Partial<Route> & Pick<Route, 'id'>): Route => ({
    name: `route-${fields.id}`, context: 'default', prefix: '', maxLength: 12, disabled: false,
    destType: 'FS_DEST_USER', destUuid: '', body: '', dnc: '', sdnc: '', ...fields,
  });
  const index = new RouteIndex();
  index.replaceAll([
    route({ id: 1, prefix: '1', blacklist: 7, dnc: 's/prefix_nts_3///', sdnc: '+9' }),
    route({ id: 2, prefix: '2', sdnc: 's/prefix_nts_3///' }),
  ]);
  const lists: RoutingLists = {
    blacklist: (id) => (id === 7 ? list(0, 0, ['666']) : undefined),
    translationTable: (id) => (id === 3 ? table('prefix', [['1', '81'], ['555', '0']]) : undefined),
  };
  const at = new Date('2025-06-16T10:00:00Z');
  const call = (destNumber: string, callerNumber: string) => ({ context: 'default', destNumber, callerNumber, at, zone: 'UTC' });

  it('judges the numbers as they came and translates dnc/sdnc through the named table', () => {
    const refused = decide(index, call('1001', '6661'), { lists });
    assert.equal(refused.blacklist?.rejected, true);
    assert.equal(refused.destNumber, '81001');
    assert.equal(refused.callerNumber, '96661', 'an ordinary rule still applies');
    assert.deepEqual(refused.translations.map((one) => [one.from, one.to]), [['1001', '81001']]);
    assert.equal(decide(index, call('1001', '7771'), { lists }).blacklist?.rejected, false);

    const second = decide(index, call('2001', '5551'), { lists });
    assert.equal(second.blacklist, null);
    assert.equal(second.callerNumber, '01');
    assert.equal(second.destNumber, '2001');
  });

  it('without lists, no blacklist judges and no table translates', () => {
    const bare = decide(index, call('1001', '6661'));
    assert.equal(bare.blacklist, null);
    assert.equal(bare.destNumber, '1001');
    assert.deepEqual(bare.translations, []);
    assert.deepEqual(JSON.parse(JSON.stringify(bare)).translations, []);
  });
});
