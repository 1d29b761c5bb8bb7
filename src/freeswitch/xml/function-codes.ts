/**
 * The dialplan of a dialled function code (src/routing/function-codes.ts): what each type of the
 * spec's FUNC_CODE_TYPE table does in FreeSWITCH, for the types the shipped modules can carry
 * without per-extension state. The others are hung up with SERVICE_NOT_IMPLEMENTED and a WARNING
 * naming the code, as routes to destinations not managed yet.
 */
import type { FunctionCodeMatch } from '../../routing/function-codes.js';
import type { DialplanLine } from '../../routing/dialplan-values.js';
import { CONFERENCE_PROFILE, extensionDocument, type RenderedDialplan } from './dialplan.js';

const action = (application: string, data = ''): DialplanLine => ({ application, data });

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
};

/** Function code types the dialplan carries out today. */
export const IMPLEMENTED_FUNCTION_CODE_TYPES: readonly string[] = Object.keys(functionCodeActions);

export function renderFunctionCode(context: string, { functionCode, target }: FunctionCodeMatch): RenderedDialplan {
  const name = `function code ${functionCode.code}`;
  const refused = (reason: string, cause: string): RenderedDialplan => {
    const refusal = `${name} (${functionCode.type}, id ${functionCode.id}) ${reason}`;
    return { document: extensionDocument(context, name, [action('log', `WARNING Switchboard ${refusal}`), action('hangup', cause)]), refusal };
  };
  const known = functionCodeActions[functionCode.type];
  if (!known) return refused('is not implemented', 'SERVICE_NOT_IMPLEMENTED');
  if (known.needs && target === '') return refused(`needs ${known.needs} dialled after it`, 'INVALID_NUMBER_FORMAT');
  return { document: extensionDocument(context, name, known.run(target)), refusal: null };
}
