/**
 * A dialled function code, served to the switch. A code that sets the caller's do-not-disturb,
 * forwards or recording writes it here, while the switch waits for the dialplan, so that the
 * confirmation the caller hears means it is stored.
 */
import type { FastifyInstance } from 'fastify';
import { changeFeatures, enabledExtension, featureChangeOf } from '../resources/extension-features/features.js';
import { toggleAutoRecord } from '../resources/extensions/auto-record.js';
import type { FunctionCodeMatch } from '../routing/function-codes.js';
import type { RenderedDialplan } from './xml/dialplan.js';
import { refuseFunctionCode, renderFunctionCode } from './xml/function-codes.js';
import type { FormFields } from './xml/registry.js';

export async function runFunctionCode(app: FastifyInstance, context: string, match: FunctionCodeMatch, fields: FormFields): Promise<RenderedDialplan> {
  const rendered = renderFunctionCode(context, match);
  const change = featureChangeOf(match.functionCode.type, match.target);
  const write = change ? (id: number) => changeFeatures(app.writes, id, change)
    : match.functionCode.type === 'FS_DEST_FUNC_CALL_RECORD' ? (id: number) => toggleAutoRecord(app.writes, id)
      : null;
  // The mailbox opens without a password for the extension the call authenticated as: a call
  // that did not (an outside caller forwarded here) would be asked which mailbox to open.
  const forCallerOnly = write !== null || match.functionCode.type === 'FS_DEST_FUNC_CALL_VOICEMAIL';
  if (rendered.refusal || !forCallerOnly) return rendered;
  // Set by mod_sofia to the directory user whose digest authenticated the call (posted by
  // xml_curl.conf's enable-post-var): who dialled, not a caller id anyone may send.
  const user = fields.get('variable_user_name');
  const domain = fields.get('variable_domain_name');
  const caller = user && domain ? await enabledExtension(app.db.kysely, user, domain) : undefined;
  if (!caller) return refuseFunctionCode(context, match, `was not dialled by an authenticated extension (user ${user ?? 'none'}@${domain ?? 'none'})`, 'CALL_REJECTED');
  // A phone forwarded to itself would send its calls round the dialplan for ever.
  if (match.target === caller.extn) return refuseFunctionCode(context, match, `would forward extension ${caller.extn} to itself`, 'INVALID_NUMBER_FORMAT');
  if (write && !(await write(caller.id))) {
    return refuseFunctionCode(context, match, `dialled by extension ${caller.extn}@${caller.domain}, deleted meanwhile`, 'CALL_REJECTED');
  }
  return rendered;
}
