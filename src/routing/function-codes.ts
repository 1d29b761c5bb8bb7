/**
 * Function codes as the dialplan meets them: which enabled code a dialled number runs, and with
 * what target. A number equal to a code runs it; a code whose type acts on a target (a room, a
 * queue, an extension) also runs when the number is the code followed by the target's digits
 * (`*86` + `1234`). Exact codes win, then the longest code. Pure: no I/O.
 */

export interface FunctionCode {
  id: number;
  code: string;
  /** A FUNC_CODE_TYPE dict key. */
  type: string;
}

export interface FunctionCodeMatch {
  functionCode: FunctionCode;
  /** The digits dialled after the code ('' when the number is the code). */
  target: string;
}

/**
 * Function codes are dialled by extensions: they apply to calls routed in the extensions' context
 * (the internal profile's), never to calls from trunks or IP peers, which must not reach features
 * such as listening in on calls.
 */
export const FUNCTION_CODE_CONTEXT = 'context-1';

/** The types that act on a target given after the code. */
const TAKES_TARGET: ReadonlySet<string> = new Set([
  'FS_DEST_TIMELY_MEETING',
  'FS_DEST_FUNC_CALL_FIFO_BACK',
  'FS_DEST_FUNC_CALL_FORWARDING',
  'FS_DEST_FUNC_CALL_FORWARD_BUSY',
  'FS_DEST_FUNC_CALL_FORWARD_WITHOUT_RESPONSE',
  'FS_DEST_FORCE_INSERT',
  'FS_DEST_FORCE_BREAKDOWN',
  'FS_DEST_EAVESDROP',
  'FS_DEST_DEST_INTERCEPT',
]);

export const takesTarget = (type: string) => TAKES_TARGET.has(type);

const TARGET = /^[0-9]+$/;

export function matchFunctionCode(codes: readonly FunctionCode[], dialled: string): FunctionCodeMatch | null {
  let best: FunctionCodeMatch | null = null;
  for (const functionCode of codes) {
    if (functionCode.code === dialled) return { functionCode, target: '' };
    if (!takesTarget(functionCode.type) || !dialled.startsWith(functionCode.code)) continue;
    const target = dialled.slice(functionCode.code.length);
    if (TARGET.test(target) && (!best || functionCode.code.length > best.functionCode.code.length)) best = { functionCode, target };
  }
  return best;
}
