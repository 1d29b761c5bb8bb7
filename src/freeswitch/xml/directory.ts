/**
 * The directory FreeSWITCH fetches (section=directory): an extension as a `<user>` of its domain,
 * for SIP digest (action=sip_auth on REGISTER and INVITE), `user/N` dialling (action=user_call)
 * and every other user lookup. Only FreeSWITCH's `a1-hash` is given, never a password.
 * Nothing here carries `cacheable`, so FreeSWITCH asks again on every lookup: a changed password
 * or a disabled extension holds from the next REGISTER on.
 */
import { freeswitchDocument, type XmlElement } from './document.js';

/** An enabled extension as the directory renders it. */
export interface DirectoryUser {
  extn: string;
  domain: string;
  /** md5 of `extn:domain:password`. */
  a1Hash: string;
  /** The context key its calls are routed in. */
  context: string;
  name: string;
  cidName: string;
  cidNumber: string;
  autoRecord: boolean;
  /** CherryPBX's dtmf_type: 0 the profile's, 1 SIP INFO, 2 inband, 3 RFC 2833. */
  dtmfType: number;
  /** Codec names, comma-joined; '' the profile's. */
  codec: string;
  /** false: mod_voicemail takes no message for it (`vm-enabled`). */
  voicemail: boolean;
  /** md5 of `extn:domain:pin` of its voicemail PIN, '' none (mod_voicemail then checks the SIP password's a1-hash). */
  vmA1Hash: string;
}

/** The channel's `dtmf_type` (mod_sofia) for CherryPBX's dtmf_type; none for 0, the profile's. */
const DTMF_TYPES: Record<number, string> = { 1: 'info', 2: 'none', 3: 'rfc2833' };

/**
 * FreeSWITCH's own default: the contacts the user registered (every one rings), with the called
 * domain as the INVITE's and presence's. `${…}` is expanded by FreeSWITCH when it dials.
 */
export const DIAL_STRING = '{^^:sip_invite_domain=${dialed_domain}:presence_id=${dialed_user}@${dialed_domain}}${sofia_contact(*/${dialed_user}@${dialed_domain})}';

/** `cid_name` that leaves the caller id as the phone sent it (XUI's convention). */
export const PASS_CALLER_ID = 'PASS';

const param = (name: string, value: string): XmlElement => ({ name: 'param', attributes: { name, value } });
const variable = (name: string, value: string): XmlElement => ({ name: 'variable', attributes: { name, value } });

/** The caller id of the extension's calls: its cid, else its name and number; none with `PASS`. */
function callerIdVariables(user: DirectoryUser): XmlElement[] {
  if (user.cidName === PASS_CALLER_ID) return [];
  return [
    variable('effective_caller_id_name', user.cidName || user.name || user.extn),
    variable('effective_caller_id_number', user.cidNumber || user.extn),
  ];
}

/** The document answering a lookup of `user`. */
export function renderDirectoryUser(user: DirectoryUser): string {
  const variables = [
    variable('user_context', user.context),
    variable('accountcode', user.extn),
    ...callerIdVariables(user),
    ...(user.autoRecord ? [variable('auto_record', 'true')] : []),
    ...(user.codec ? [variable('absolute_codec_string', user.codec)] : []),
    ...(DTMF_TYPES[user.dtmfType] ? [variable('dtmf_type', DTMF_TYPES[user.dtmfType]!)] : []),
  ];
  const params = [
    param('a1-hash', user.a1Hash),
    param('dial-string', DIAL_STRING),
    ...(user.vmA1Hash ? [param('vm-a1-hash', user.vmA1Hash)] : []),
    ...(user.voicemail ? [] : [param('vm-enabled', 'false')]),
  ];
  return freeswitchDocument('directory', [{
    name: 'domain',
    attributes: { name: user.domain },
    children: [{
      name: 'user',
      attributes: { id: user.extn },
      children: [
        { name: 'params', children: params },
        { name: 'variables', children: variables },
      ],
    }],
  }]);
}

/** The document answering a lookup of the domain alone (does it exist?), which has users but none asked for. */
export function renderDirectoryDomain(domain: string): string {
  return freeswitchDocument('directory', [{ name: 'domain', attributes: { name: domain } }]);
}
