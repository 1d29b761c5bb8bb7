/**
 * The blacklist stage: a route may name a blacklist (list_type 0: listed numbers are refused) or a
 * whitelist (list_type 1: only listed numbers pass). `limit_user_type` says which number is
 * checked, as the spec's table and the console's labels read: 0 the caller, 1 the callee, 2 both.
 * With both, each number must pass on its own: a blacklist refuses the call when either is listed,
 * a whitelist admits it only when both are. A listed number matches every number it starts
 * (prefix match: `0755` lists all of Shenzhen). The numbers checked are those the call arrived
 * with, before dnc/sdnc and translation: the ones an operator sees and lists.
 */
import type { NumberMap } from './number-map.js';
import type { TranslationTable } from './number-translation.js';

export const LIST_TYPES = { blacklist: 0, whitelist: 1 } as const;
export const LIMIT_USER_TYPES = { caller: 0, callee: 1, both: 2 } as const;

export interface Blacklist {
  id: number;
  name: string;
  /** 0 blacklist, 1 whitelist. */
  listType: number;
  /** 0 caller, 1 callee, 2 both. */
  limitUserType: number;
  numbers: NumberMap<true>;
}

/** The blacklists and translation tables routes name, as loaded for routing. */
export interface RoutingLists {
  blacklist(id: number): Blacklist | undefined;
  translationTable(id: number): TranslationTable | undefined;
}

export interface BlacklistCheck {
  party: 'caller' | 'callee';
  number: string;
  /** The listed number that matched (a prefix of `number`), or null. */
  listed: string | null;
  passed: boolean;
}

export interface BlacklistVerdict {
  blacklistId: number;
  name: string;
  listType: number;
  limitUserType: number;
  rejected: boolean;
  checks: BlacklistCheck[];
}

function check(list: Blacklist, party: BlacklistCheck['party'], number: string): BlacklistCheck {
  const match = list.numbers.longestPrefix(number);
  const listed = match === null ? null : number.slice(0, match.length);
  const passed = list.listType === LIST_TYPES.whitelist ? listed !== null : listed === null;
  return { party, number, listed, passed };
}

/** Whether `list` lets a call from `caller` to `callee` through. */
export function judge(list: Blacklist, caller: string, callee: string): BlacklistVerdict {
  const checks: BlacklistCheck[] = [];
  if (list.limitUserType !== LIMIT_USER_TYPES.callee) checks.push(check(list, 'caller', caller));
  if (list.limitUserType !== LIMIT_USER_TYPES.caller) checks.push(check(list, 'callee', callee));
  return {
    blacklistId: list.id,
    name: list.name,
    listType: list.listType,
    limitUserType: list.limitUserType,
    rejected: checks.some((one) => !one.passed),
    checks,
  };
}

/** Why the verdict refused the call, in words for logs and explanations; null when it passed. */
export function refusalOf(verdict: BlacklistVerdict): string | null {
  const failed = verdict.checks.find((one) => !one.passed);
  if (!failed) return null;
  const list = `${verdict.listType === LIST_TYPES.whitelist ? 'whitelist' : 'blacklist'} "${verdict.name}" (id ${verdict.blacklistId})`;
  return failed.listed === null
    ? `${failed.party} ${JSON.stringify(failed.number)} is not on ${list}`
    : `${failed.party} ${JSON.stringify(failed.number)} is on ${list} (listed as ${failed.listed})`;
}
