import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyNumberTransform, validateNumberTransform } from '../../src/routing/number-transform.js';
import { freeswitchRegex } from '../../src/routing/freeswitch-regex.js';

describe('applyNumberTransform', () => {
  const table: [number: string, rule: string, expected: string, why: string][] = [
    // XUI's own test suite (lua/xui/vendor/test/test_utils.lua)
    ['01234', '-0+9', '91234', 'strip 0, then prepend 9'],
    ['01234', '-0', '1234', 'strip a leading 0'],
    ['01234', '+9', '901234', 'prepend 9'],
    ['01234', '0', '01234', 'no token: unchanged'],
    ['01234', 'r3999', '99934', 'replace the first 3'],
    ['01234', 'R3999', '01999', 'replace the last 3'],
    ['01', 'r3999', '999', 'first 3 of a 2-digit number'],
    ['01', 'R3999', '999', 'shorter than N: just the replacement'],
    ['01234', '/^(.*)[0-9][0-9]$/$1/', '012', 'regex with a group'],
    // token-list quirks
    ['01234', '-9', '1234', 'QUIRK: not a prefix, one character is removed anyway'],
    ['01234', '-01234567', '1234', 'QUIRK: longer than the number, one character removed'],
    ['8613912345678', '-86+0', '013912345678', 'national form'],
    ['013912345678', '-0+86', '8613912345678', 'international form'],
    ['01234', '+9-90', '1234', 'tokens apply left to right'],
    ['01234', '0-1', '1234', 'text before the first token is ignored; -1 strips one char'],
    ['01234', '+', '01234', 'a bare sign is not a token'],
    ['', '-0', '', 'empty number stays empty'],
    ['01234', '', '01234', 'empty rule'],
    // r / R edges
    ['01234', 'r0', '01234', 'r0 replaces nothing'],
    ['01234', 'r09', '901234', 'r0 prepends'],
    ['01234', 'R0#', '01234#', 'R0 appends'],
    ['123', 'R5', '', 'shorter than N with an empty replacement'],
    ['123', 'R3x', 'x', 'exactly N long'],
    ['01234', 'rX99', '01234', 'r without a digit: unchanged (XUI raised a Lua error)'],
    ['01234', 'R', '01234', 'R alone: unchanged'],
    // FreeSWITCH regex API semantics
    ['12345', '/^9(.*)$/$1/', '12345', 'no match: the number unchanged'],
    ['01234', '/0/9/', '9', 'a match yields the replacement alone, not a substituted number'],
    ['01234', '/^0(.*)$/%1/', '1234', '%N is $N'],
    ['01234', '/^0(.*)$/${1}5/', '12345', '${N} form'],
    ['0123', '/^(9)?(.*)$/[$1]$2/', '[]0123', 'a group that did not take part is empty'],
    ['0123', '/^0(.*)$/$$1/', '$123', 'a $ without a group number is literal'],
    ['0123', '/^0(.*)$/$7/', '', 'a group the pattern lacks is empty'],
    ['0123', '/^0(.*)$/$0/', '0123', '$0 is the whole match'],
    ['123', '/^9/x/n', '', 'flag n: no match gives an empty string'],
    ['123', '/^9/x/b', 'false', 'flag b: no match gives false'],
    ['123', '/^1/', 'true', 'no replacement part: FreeSWITCH answers true/false'],
    ['123', '/^9/', 'false', 'no replacement part, no match'],
    ['123', '/', '-ERR', 'nothing after the number: FreeSWITCH usage error'],
    ['0', '/^0$/a\\/b/', 'a/b', '\\/ is an escaped delimiter'],
    ['1 2', '/^1\\s2$/ok/', 'ok', 'FreeSWITCH turns \\s into a space before PCRE sees it'],
    ['0234', '/_0NXX/x$0/', 'x0234', 'leading _ is an Asterisk-style pattern'],
    ['0134', '/_0NXX/x$0/', '0134', 'Asterisk-style N is 2-9'],
    ['01234', '/(/x/', '01234', 'a pattern that does not compile never matches'],
    ['01234', '/\\A0/x/', '01234', 'an unsupported PCRE escape never matches'],
    // XSwitch's positional forms, as CherryPBX's number transform fields write them
    ['01234', 'm299', '09934', 'm: overwrite from position 2 with 99'],
    ['01234', 'm1', '01234', 'm with no digits overwrites nothing'],
    ['01234', 'm59999', '01239999', 'm: overwriting past the end extends the number'],
    ['01234', 'm799', '0123499', 'm: a position past the end means the end'],
    ['01234', 'i299', '0991234', 'i: insert before position 2'],
    ['01234', 'I299', '0199234', 'I: insert after position 2'],
    ['01234', 'i1', '01234', 'i with nothing to insert'],
    ['01234', 'I999', '0123499', 'I: past the end appends'],
    ['01234', 'd22', '034', 'd: delete 2 from position 2'],
    ['01234', 'd312', '01', 'd: more than is left deletes to the end'],
    ['01234', 'd91', '01234', 'd: a position past the end deletes nothing'],
    ['01234', '@100', '100', '@: the whole number replaced'],
    ['01234', 'm099', '01234', 'position 0 is no position: unchanged (refused on write)'],
  ];
  for (const [number, rule, expected, why] of table) {
    it(`${JSON.stringify(number)} with ${JSON.stringify(rule)} → ${JSON.stringify(expected)} (${why})`, () => {
      assert.equal(applyNumberTransform(number, rule), expected);
    });
  }
});

describe('freeswitchRegex', () => {
  it('uses | as the default delimiter', () => {
    assert.equal(freeswitchRegex('01234|^0(.*)$|$1'), '1234');
    assert.equal(freeswitchRegex('01234|^0'), 'true');
  });

  it('lets single quotes protect a delimiter', () => {
    assert.equal(freeswitchRegex("m:/ab/'a/?b'/x/"), 'x');
    assert.equal(freeswitchRegex("m:/a/b/'x/y'/"), 'a');
  });
});

describe('validateNumberTransform', () => {
  const valid = ['', '/^0(.*)$/$1/', '/^0(.*)$/$1', '/^9/x/n', 'r3999', 'R3', '-0+9', '+86', '-0', 'm21', 'i2123', 'I90', 'd21', 'd110', '@132', '@+8610086'];
  for (const rule of valid) {
    it(`accepts ${JSON.stringify(rule)}`, () => assert.equal(validateNumberTransform(rule), null));
  }

  const invalid: [rule: string, mentions: RegExp][] = [
    ['/(/x/', /not a valid regular expression/],
    ['/^0/', /must look like \/pattern\/replacement\//],
    ['/', /must look like/],
    ['/\\A0/x/', /PCRE escape/],
    ['r', /single digit/],
    ['rX99', /single digit/],
    ['R', /single digit/],
    ['0', /is not a rule/],
    ['0-1', /is not a rule/],
    ['+', /is not a rule/],
    ['m2', /position 1-9 then digits/],
    ['m021', /position 1-9 then digits/],
    ['i', /position 1-9 then digits/],
    ['I2x', /position 1-9 then digits/],
    ['d2', /position 1-9 then digits/],
    ['@', /new number after @/],
    ['X/1', /is not a rule/],
  ];
  for (const [rule, mentions] of invalid) {
    it(`rejects ${JSON.stringify(rule)}`, () => {
      const problem = validateNumberTransform(rule);
      assert.ok(problem !== null, 'expected a problem');
      assert.match(problem, mentions);
    });
  }
});
