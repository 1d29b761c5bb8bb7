import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchFunctionCode, type FunctionCode } from '../../src/routing/function-codes.js';

const codes: FunctionCode[] = [
  { id: 1, code: '*8', type: 'FS_DEST_TIMELY_MEETING' },
  { id: 2, code: '*86', type: 'FS_DEST_TIMELY_MEETING' },
  { id: 3, code: '*861', type: 'FS_DEST_FUNC_CALL_DND' },
  { id: 4, code: '*70', type: 'FS_DEST_FUNC_CALL_FIFO_BACK' },
];

const matched = (dialled: string) => {
  const match = matchFunctionCode(codes, dialled);
  return match && { id: match.functionCode.id, target: match.target };
};

test('a number equal to a code runs it, whatever its type', () => {
  assert.deepEqual(matched('*861'), { id: 3, target: '' });
  assert.deepEqual(matched('*86'), { id: 2, target: '' });
});

test('a code that acts on a target runs with the digits after it, the longest such code first', () => {
  assert.deepEqual(matched('*861234'), { id: 2, target: '1234' });
  assert.deepEqual(matched('*8999'), { id: 1, target: '999' });
  assert.deepEqual(matched('*707000'), { id: 4, target: '7000' });
});

test('no match: a code without a target followed by digits, a target that is not digits, another number', () => {
  assert.equal(matched('*7'), null);
  assert.equal(matched('*70*1'), null);
  assert.equal(matched('8612'), null);
  assert.equal(matchFunctionCode([{ id: 5, code: '*78', type: 'FS_DEST_FUNC_CALL_DND' }], '*781'), null);
});
