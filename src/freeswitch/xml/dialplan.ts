/**
 * The dialplan document for one call: the route the routing engine chose, rendered as ONE
 * extension whose actions run in XUI's order (research/xui-semantics.md §5.3): the dnc/sdnc
 * results (the route's, then the gateway's the call leaves through), auto-record, the route's
 * enabled params, the codec list, media bypass, then the destination's own actions.
 */
import { destinationUnchosen, extensionList, isDialable, isDomainName, systemLines, type DialplanLine } from '../../routing/dialplan-values.js';
import { freeswitchDocument, type XmlElement } from './document.js';
import { userBridgeActions, type CalledExtension } from './user-features.js';

export interface DialplanCall {
  context: string;
  /** The called number as the call leaves: after the route's dnc (and the gateway's, see `gateway`). */
  destNumber: string;
  /** The caller number as the call leaves: after the route's sdnc (and the gateway's). */
  callerNumber: string;
  /** The channel's `domain_name` (set for registered callers), used to reach local users. */
  domainName: string | undefined;
  /** The channel's `auto_record` (the directory sets it for users who record every call). */
  autoRecord: boolean;
  /** The line number of the calling extension's DOD on this way out; `callerNumber` derives from it. */
  dodLineNumber?: string | undefined;
  /** The gateway the call leaves through: its rules, and the numbers as the route left them. */
  gateway?: DialplanGateway | undefined;
}

export interface DialplanGateway {
  dnc: string;
  sdnc: string;
  destNumberBefore: string;
  callerNumberBefore: string;
}

export interface DialplanRoute {
  id: number;
  name: string;
  dnc: string;
  sdnc: string;
  autoRecord: boolean;
  /** Comma-joined codec names, '' for no restriction. */
  mediaCodec: string;
  /** false: media bypasses FreeSWITCH (the spec's proxy_media 0). */
  proxyMedia: boolean;
  /** The route's enabled params, in run order. */
  params: readonly { k: string; v: string }[];
  /** What the caller hears while the destination rings ('' or absent: FreeSWITCH's default). */
  ringback?: string | undefined;
}

/** The destination after time segments. */
export interface DialplanDestination {
  destType: string;
  destUuid: string;
  body: string;
  /** FS_DEST_IVRBLOCK: the block's Lua, loaded for the call ('' or undefined: none to run). */
  blockLua?: string | undefined;
  /** FS_DEST_CLUSTER_TRUNK(_GROUP): the enabled trunks to try, in order (the group's strategy chose it). */
  trunks?: readonly DialplanTrunk[] | undefined;
  /** FS_DEST_USER: the called extension's do-not-disturb and forwards (undefined: not one of ours). */
  called?: CalledExtension | undefined;
}

/** A trunk as a call dials it: `host[:port]` and UDP, TCP or TLS. */
export interface DialplanTrunk {
  address: string;
  protocol: string;
}

export interface DialplanInput {
  call: DialplanCall;
  route: DialplanRoute;
  destination: DialplanDestination;
  /** Where auto-recordings go, on the switch's file system. */
  recordingsDir: string;
  /** Why the route's blacklist refuses the call (it is hung up with CALL_REJECTED), or null. */
  rejection?: string | null;
}

export interface RenderedDialplan {
  document: string;
  /** Set when the call is hung up instead of routed; the caller logs it. */
  refusal: string | null;
}

/** The SIP profile FS_DEST_IP and trunk calls leave through, as in XUI. */
export const IP_DESTINATION_PROFILE = 'public';
/** The mod_conference profile conference destinations join with. */
export const CONFERENCE_PROFILE = 'default';

const action = (application: string, data = ''): DialplanLine => ({ application, data });
const set = (variable: string, value: string) => action('set', `${variable}=${value}`);
/**
 * A value `set` stores as written. FreeSWITCH expands `${...}` and backslash escapes in `set`'s
 * data twice (when the application runs, then in `set` itself) and reads `\$` as `$` and `\\` as
 * `\`, so each pass gets its own escape: a dnc rule like `/^0(\d+)$/${1}/` is the author's text,
 * not a variable to look up. (A later `${dnc}` in a template expands the value again: FreeSWITCH's
 * way with every variable.)
 */
const escapeOnce = (value: string) => value.replace(/[\\$]/g, '\\$&');
const verbatim = (value: string) => escapeOnce(escapeOnce(value));

interface Target {
  number: string;
  domainName: string | undefined;
  destination: DialplanDestination;
}

/**
 * The actions of every destination type that needs nothing Switchboard does not have yet. A type
 * missing here is hung up as "not yet routable"; the issue that brings its target adds it.
 */
const destinationActions: Partial<Record<string, (target: Target) => DialplanLine[]>> = {
  FS_DEST_USER: ({ number, domainName, destination }) => userBridgeActions(`user/${number}${domainName ? `@${domainName}` : ''}`, destination.called),
  // body is the gateway's name, filled when the route was written (gateway names are one word).
  FS_DEST_GATEWAY: ({ number, destination }) => [action('bridge', `sofia/gateway/${destination.body}/${number}`)],
  // body is the IVR's name, filled when the route was written (renaming a routed IVR is refused).
  FS_DEST_IVR: ({ destination }) => [action('answer'), action('ivr', destination.body)],
  FS_DEST_IVRBLOCK: ({ destination }) => [action('lua', inlineLua(destination.blockLua ?? '', `block-${destination.destUuid}`))],
  FS_DEST_IP: ({ number, destination }) => [action('bridge', `sofia/${IP_DESTINATION_PROFILE}/${number}@${destination.body}`)],
  FS_DEST_CLUSTER_TRUNK: ({ number, destination }) => [action('bridge', trunkDialString(number, destination.trunks ?? []))],
  FS_DEST_CLUSTER_TRUNK_GROUP: ({ number, destination }) => [action('bridge', trunkDialString(number, destination.trunks ?? []))],
  FS_DEST_SYSTEM: ({ destination }) => systemLines(destination.body),
  FS_DEST_CONFERENCE: ({ number }) => [action('conference', `${number}-$\${domain}@${CONFERENCE_PROFILE}`)],
  // dest_uuid names a conference profile; until profiles exist the room uses the default one.
  FS_DEST_USER_CONFERENCE: ({ number }) => [action('conference', `${number}-$\${domain}@${CONFERENCE_PROFILE}`)],
  FS_DEST_RING_EXTNS: ({ destination }) => [action('bridge', userDialString(destination.destUuid, ','))],
  FS_DEST_SEQ_EXTNS: ({ destination }) => [action('bridge', userDialString(destination.destUuid, '|'))],
  FS_DEST_SCRIPT: ({ destination }) => [action('lua', destination.body.trim())],
  FS_DEST_NUM_QUEUE: ({ number }) => [action('fifo', `${number} in`)],
};

const TRUNK_DESTINATIONS: ReadonlySet<string> = new Set(['FS_DEST_CLUSTER_TRUNK', 'FS_DEST_CLUSTER_TRUNK_GROUP']);

/** The destination types the dialplan routes today. */
export const ROUTABLE_DESTINATION_TYPES: readonly string[] = Object.keys(destinationActions);

/**
 * `~code` runs inline Lua (mod_lua). FreeSWITCH expands `${...}` and backslash escapes in an
 * application's data, so the code travels as hex that Lua decodes itself: it arrives byte for byte.
 */
function inlineLua(code: string, chunkName: string): string {
  const hex = Buffer.from(code, 'utf8').toString('hex');
  return `~local code = ("${hex}"):gsub("%x%x", function(h) return string.char(tonumber(h, 16)) end) assert(load(code, "=${chunkName}"))()`;
}

/**
 * The trunks one after the other (`|`: bridge tries the next when one fails), each as
 * `sofia/public/<number>@<host[:port]>`, with `;transport=` for TCP and TLS.
 */
function trunkDialString(number: string, trunks: readonly DialplanTrunk[]): string {
  return trunks.map(({ address, protocol }) => {
    const transport = protocol === 'UDP' ? '' : `;transport=${protocol.toLowerCase()}`;
    return `sofia/${IP_DESTINATION_PROFILE}/${number}@${address}${transport}`;
  }).join('|');
}

/** `user/1001@example.com` dial strings joined by `,` (ring all) or `|` (one after the other). */
function userDialString(destUuid: string, separator: ',' | '|'): string {
  const extensions = extensionList(destUuid);
  // Writes refuse a list that does not parse; an old row that still fails rings no one.
  if (typeof extensions === 'string') return 'error/UNALLOCATED_NUMBER';
  return extensions.map(({ extn, domain }) => `user/${extn}${domain ? `@${domain}` : ''}`).join(separator);
}

function autoRecordActions(route: DialplanRoute, call: DialplanCall, recordingsDir: string): DialplanLine[] {
  const lines: DialplanLine[] = [];
  if (route.autoRecord) lines.push(set('auto_record', 'true'));
  if (route.autoRecord || call.autoRecord) {
    // FreeSWITCH expands the time and uuid when the call runs `set`, once, so both lines agree.
    lines.push(
      set('auto_record_path', `${recordingsDir}/auto-record-\${strftime(%Y%m%d-%H%M%S)}-\${uuid}.wav`),
      action('record_session', '${auto_record_path}'),
    );
  }
  return lines;
}

/** The caller number is set on the channel: a rule or a DOD changed it. */
const callerNumberSet = ({ route, call }: DialplanInput) =>
  route.sdnc !== '' || call.dodLineNumber !== undefined || (call.gateway !== undefined && call.gateway.sdnc !== '');

/** Why the numbers this call brings cannot go into its dialplan, or null. */
function unsafeCallValue(input: DialplanInput): string | null {
  const { call } = input;
  const called = [call.destNumber, call.gateway?.destNumberBefore ?? call.destNumber];
  const unsafeCalled = called.find((number) => !isDialable(number));
  if (unsafeCalled !== undefined) return `called number ${JSON.stringify(unsafeCalled)} has characters a dial string cannot carry`;
  const callers = [call.callerNumber, call.gateway?.callerNumberBefore ?? call.callerNumber];
  const unsafeCaller = callerNumberSet(input) ? callers.find((number) => !isDialable(number)) : undefined;
  if (unsafeCaller !== undefined) return `caller number ${JSON.stringify(unsafeCaller)} has characters a dial string cannot carry`;
  if (call.domainName !== undefined && call.domainName !== '' && !isDomainName(call.domainName)) {
    return `domain_name ${JSON.stringify(call.domainName)} is not a domain name`;
  }
  return null;
}

/** A dialplan document of one extension, `name` in `context`, running `actions`. */
export function extensionDocument(context: string, name: string, actions: readonly DialplanLine[]): string {
  return freeswitchDocument('dialplan', [{
    name: 'context',
    attributes: { name: context },
    children: [{
      name: 'extension',
      attributes: { name },
      children: [{
        name: 'condition',
        children: actions.map((line): XmlElement => ({
          name: 'action',
          attributes: line.data === '' ? { application: line.application } : { application: line.application, data: line.data },
        })),
      }],
    }],
  }]);
}

/** A call hung up with `cause`, saying why in the switch's log. */
function hungUp(context: string, name: string, refusal: string, cause: string): RenderedDialplan {
  return { document: extensionDocument(context, name, [action('log', `WARNING Switchboard ${refusal}`), action('hangup', cause)]), refusal };
}

const refused = (input: DialplanInput, reason: string, cause: string) =>
  hungUp(input.call.context, input.route.name, `route ${input.route.id}: ${reason}`, cause);

export function renderDialplan(input: DialplanInput): RenderedDialplan {
  const { call, route, destination } = input;
  if (input.rejection) return refused(input, input.rejection, 'CALL_REJECTED');
  const toDestination = destinationActions[destination.destType];
  if (destinationUnchosen({ dest_type: destination.destType, dest_uuid: destination.destUuid, body: destination.body })) {
    return refused(input, `its ${destination.destType} destination is not chosen yet`, 'UNALLOCATED_NUMBER');
  }
  if (!toDestination) return refused(input, `destination type ${destination.destType} is not yet routable`, 'SERVICE_NOT_IMPLEMENTED');
  if (destination.destType === 'FS_DEST_IVRBLOCK' && !destination.blockLua) {
    return refused(input, `block ${destination.destUuid} has no Lua to run (a JavaScript block would need mod_v8)`, 'SERVICE_NOT_IMPLEMENTED');
  }
  if (TRUNK_DESTINATIONS.has(destination.destType) && (destination.trunks ?? []).length === 0) {
    return refused(input, `${destination.destType} ${destination.destUuid} has no enabled trunk to call`, 'NORMAL_TEMPORARY_FAILURE');
  }
  const unsafe = unsafeCallValue(input);
  if (unsafe) return refused(input, unsafe, 'INVALID_NUMBER_FORMAT');

  const actions: DialplanLine[] = [];
  const { gateway } = call;
  if (route.dnc !== '') actions.push(set('dnc', verbatim(route.dnc)), set('dnc_number', gateway?.destNumberBefore ?? call.destNumber));
  if (call.dodLineNumber !== undefined) actions.push(set('dod_number', call.dodLineNumber));
  if (route.sdnc !== '') actions.push(set('sdnc', verbatim(route.sdnc)), set('sdnc_number', gateway?.callerNumberBefore ?? call.callerNumber));
  // The gateway's numbers only: its rules stay out of the channel (explain shows them).
  if (gateway && gateway.dnc !== '') actions.push(set('gateway_dnc_number', call.destNumber));
  if (gateway && gateway.sdnc !== '') actions.push(set('gateway_sdnc_number', call.callerNumber));
  if (callerNumberSet(input)) actions.push(set('effective_caller_id_number', call.callerNumber));
  actions.push(...autoRecordActions(route, call, input.recordingsDir));
  actions.push(...route.params.map((param) => action(param.k, param.v)));
  if (route.ringback) actions.push(set('ringback', route.ringback), set('transfer_ringback', route.ringback));
  if (route.mediaCodec !== '') actions.push(set('absolute_codec_string', route.mediaCodec));
  if (!route.proxyMedia) actions.push(set('bypass_media', 'true'));
  actions.push(...toDestination({ number: call.destNumber, domainName: call.domainName || undefined, destination }));
  return { document: extensionDocument(call.context, route.name, actions), refusal: null };
}

export interface HotlineDialplanInput {
  call: Pick<DialplanCall, 'context' | 'destNumber'>;
  /** The DID's extensions, each in its domain. */
  extensions: readonly { extn: string; domain: string }[];
}

/**
 * A DID: its extensions ring at once (`,`), the first to answer takes the call; `did_number`
 * keeps the line number dialled. A DID none of whose extensions exists any more is refused.
 */
export function renderHotlineDialplan({ call, extensions }: HotlineDialplanInput): RenderedDialplan {
  const name = `DID ${call.destNumber}`;
  if (extensions.length === 0) return hungUp(call.context, name, `${name}: none of its extensions exists`, 'UNALLOCATED_NUMBER');
  const unsafe = extensions.find(({ extn, domain }) => extn === '' || !isDialable(extn) || (domain !== '' && !isDomainName(domain)));
  if (unsafe !== undefined || !isDialable(call.destNumber)) {
    return hungUp(call.context, name, `${name}: extension ${JSON.stringify(unsafe ?? '')} or line number cannot go into a dial string`, 'INVALID_NUMBER_FORMAT');
  }
  const dialString = extensions.map(({ extn, domain }) => `user/${extn}${domain ? `@${domain}` : ''}`).join(',');
  const actions = [set('did_number', call.destNumber), action('bridge', dialString)];
  return { document: extensionDocument(call.context, name, actions), refusal: null };
}
