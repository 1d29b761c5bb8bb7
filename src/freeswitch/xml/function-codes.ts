/**
 * The dialplan of a dialled function code (src/routing/function-codes.ts): what each type of the
 * spec's FUNC_CODE_TYPE table does in FreeSWITCH, for the types the shipped modules can carry
 * and for do-not-disturb, forwarding and recording (which the caller's extension keeps). The
 * others (multicast) are hung up with SERVICE_NOT_IMPLEMENTED and a WARNING naming the code,
 * as routes to destinations not managed yet.
 */
import { FEATURE_FUNCTION_CODE_TYPES } from '../../resources/extension-features/features.js';
import type { FunctionCodeMatch } from '../../routing/function-codes.js';
import type { DialplanLine } from '../../routing/dialplan-values.js';
import { CONFERENCE_PROFILE, extensionDocument, type RenderedDialplan } from './dialplan.js';
import { RINGING_REALM, VOICEMAIL_PROFILE } from './user-features.js';

const action = (application: string, data = ''): DialplanLine => ({ application, data });

const ringingCall = (key: string) => `\${hash(select/${RINGING_REALM}/${key}@\${domain_name})}`;

/** Tells whoever dialled a feature code that it took (src/freeswitch/function-code-calls.ts wrote it): three short beeps. */
const CONFIRMATION = [action('answer'), action('playback', 'tone_stream://%(200,100,880);loops=3'), action('hangup', 'NORMAL_CLEARING')];

/** The forwards that need a number after the code; the other feature codes set or clear something alone. */
const FORWARD_SETTERS: ReadonlySet<string> = new Set([
  'FS_DEST_FUNC_CALL_FORWARDING', 'FS_DEST_FUNC_CALL_FORWARD_BUSY', 'FS_DEST_FUNC_CALL_FORWARD_WITHOUT_RESPONSE',
]);

const featureCodeActions = Object.fromEntries(FEATURE_FUNCTION_CODE_TYPES.map((type) => [type, {
  ...(FORWARD_SETTERS.has(type) ? { needs: 'the number to forward to' } : {}),
  run: () => CONFIRMATION,
}]));

/** Per type, the actions for a target ('' when the code was dialled alone), or a word for what is missing. */
const functionCodeActions: Partial<Record<string, { needs?: string; run: (target: string) => DialplanLine[] }>> = {
  // The instant meeting code: `*86` + a room number joins that room, as FS_DEST_CONFERENCE routes do.
  FS_DEST_TIMELY_MEETING: {
    needs: 'a room number',
    run: (room) => [action('answer'), action('conference', `${room}-$\${domain}@${CONFERENCE_PROFILE}`)],
  },
  // Takes back the call waiting longest in the queue that FS_DEST_NUM_QUEUE routes park callers in (mod_fifo).
  FS_DEST_FUNC_CALL_FIFO_BACK: {
    needs: 'a queue number',
    run: (queue) => [action('answer'), action('fifo', `${queue} out nowait`)],
  },
  // Pickup and listening in: the call to the extension, found by the uuid its FS_DEST_USER
  // dialplan left in mod_hash (user-features.ts), looked up in the dialling phone's domain.
  FS_DEST_DEST_INTERCEPT: {
    needs: 'an extension number',
    run: (extn) => [action('answer'), action('intercept', ringingCall(extn))],
  },
  FS_DEST_LAST_INTERCEPT: {
    run: () => [action('answer'), action('intercept', ringingCall('last'))],
  },
  FS_DEST_EAVESDROP: {
    needs: 'an extension number',
    run: (extn) => [action('answer'), action('eavesdrop', ringingCall(extn))],
  },
  // Barging in: the caller joins the extension's call as a third party, heard by both sides
  // and hearing both (mod_dptools' three_way, eavesdrop that also speaks).
  FS_DEST_FORCE_INSERT: {
    needs: 'an extension number',
    run: (extn) => [action('answer'), action('three_way', ringingCall(extn))],
  },
  // Breaking in: the caller takes the other party's place on the extension's call. The uuid
  // remembered is the calling leg's; `-bleg` intercepts the extension's leg bridged to it, and
  // intercept hangs up the leg it takes it from.
  FS_DEST_FORCE_BREAKDOWN: {
    needs: 'an extension number',
    run: (extn) => [action('answer'), action('intercept', `-bleg ${ringingCall(extn)}`)],
  },
  // The mailbox of the extension the call authenticated as (mod_sofia's user_name and
  // domain_name): `auth` skips the password prompt, the SIP digest having proved who calls.
  FS_DEST_FUNC_CALL_VOICEMAIL: {
    run: () => [action('answer'), action('voicemail', `check auth ${VOICEMAIL_PROFILE} \${domain_name} \${user_name}`)],
  },
  // Do-not-disturb, forwards and recording every call (auto_record, on when off and off when on):
  // the caller's extension was changed before this is served.
  ...featureCodeActions,
  FS_DEST_FUNC_CALL_RECORD: { run: () => CONFIRMATION },
};

/** Function code types the dialplan carries out today. */
export const IMPLEMENTED_FUNCTION_CODE_TYPES: readonly string[] = Object.keys(functionCodeActions);

/** The call that dialled the code hung up with `cause`, and a WARNING saying why. */
export function refuseFunctionCode(context: string, { functionCode }: FunctionCodeMatch, reason: string, cause: string): RenderedDialplan {
  const name = `function code ${functionCode.code}`;
  const refusal = `${name} (${functionCode.type}, id ${functionCode.id}) ${reason}`;
  return { document: extensionDocument(context, name, [action('log', `WARNING Switchboard ${refusal}`), action('hangup', cause)]), refusal };
}

export function renderFunctionCode(context: string, match: FunctionCodeMatch): RenderedDialplan {
  const { functionCode, target } = match;
  const name = `function code ${functionCode.code}`;
  const refused = (reason: string, cause: string) => refuseFunctionCode(context, match, reason, cause);
  const known = functionCodeActions[functionCode.type];
  if (!known) return refused('is not implemented', 'SERVICE_NOT_IMPLEMENTED');
  if (known.needs && target === '') return refused(`needs ${known.needs} dialled after it`, 'INVALID_NUMBER_FORMAT');
  return { document: extensionDocument(context, name, known.run(target)), refusal: null };
}
