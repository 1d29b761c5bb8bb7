/**
 * What a value must look like to go into a FreeSWITCH dialplan document, checked when a route, a
 * route param or a time segment is written, so the dialplan never meets a value it cannot render
 * safely. Shared by the write path (as 400s naming the field) and by the dialplan renderer (for
 * the numbers a call brings, which are checked per call).
 */

import { validateNumberTransform } from './number-transform.js';
import { translationTableOf } from './number-translation.js';

/**
 * Characters XML 1.0 cannot carry at all, not even as character references: C0 controls other
 * than tab, line feed and carriage return, and U+FFFE/U+FFFF. (Lone surrogates never get this far:
 * the HTTP input checks refuse them.)
 */
export const XML_UNREPRESENTABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/u;

/** A dialplan application name as FreeSWITCH modules register them: `set`, `bridge`, `record_session`. */
const APPLICATION = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * A number as it may go into a dial string (`user/<n>@domain`, `sofia/public/<n>@host`) and a
 * channel variable: no `$`/`{}` FreeSWITCH would expand, no `,` `|` `[` `]` `^` `@` `/` that would
 * change the dial string's meaning, no spaces that split application arguments. Covers digits,
 * `+`, `*`, `#` and SIP user names; empty (an anonymous caller) too.
 */
const DIALABLE = /^[A-Za-z0-9+*#._-]*$/;

/** A host name, IPv4 address or bracketed IPv6 address, with an optional port. */
const HOST_AND_PORT = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
const DOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;

export function isDomainName(text: string): boolean {
  return DOMAIN.test(text);
}

/** One absolute_codec_string item: `PCMU`, `opus@48000h@20i`, `G729`. */
export const CODEC = /^[A-Za-z0-9][A-Za-z0-9._@-]*$/;

export function isDialable(number: string): boolean {
  return DIALABLE.test(number);
}

/** A problem with a value, named by the field it came from. */
export interface ValueProblem {
  field: string;
  problem: string;
}

export interface DialplanLine {
  application: string;
  data: string;
}

/**
 * The application lines of an FS_DEST_SYSTEM body, as XUI reads them: one per line, `\r` and what
 * follows it cut, the first space-delimited token the application, the rest its data; blank lines
 * and lines starting with `#` skipped.
 */
export function systemLines(body: string): DialplanLine[] {
  const lines: DialplanLine[] = [];
  for (const raw of body.split('\n')) {
    const line = raw.split('\r', 1)[0]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const space = line.search(/\s/);
    lines.push(space < 0
      ? { application: line, data: '' }
      : { application: line.slice(0, space), data: line.slice(space).trim() });
  }
  return lines;
}

export interface Extension {
  extn: string;
  /** '' when the extension was given without a domain. */
  domain: string;
}

/**
 * The extensions of an FS_DEST_RING_EXTNS / FS_DEST_SEQ_EXTNS destination: `dest_uuid` holds
 * `[{"extn":"1001|example.com"},…]` as the XSwitch web client writes it. Answers the problem
 * instead when the text is not such a list.
 */
export function extensionList(destUuid: string): Extension[] | string {
  const shape = 'must be a JSON list like [{"extn":"1001|example.com"}]';
  let parsed: unknown;
  try {
    parsed = JSON.parse(destUuid);
  } catch {
    return shape;
  }
  if (!Array.isArray(parsed) || parsed.length === 0) return shape;
  const extensions: Extension[] = [];
  for (const [index, item] of parsed.entries()) {
    const text = (item as { extn?: unknown } | null)?.extn;
    if (typeof text !== 'string') return `item ${index} ${shape}`;
    const [extn = '', domain = '', ...extra] = text.split('|');
    if (extra.length > 0 || extn === '' || !isDialable(extn) || (domain !== '' && !isDomainName(domain))) {
      return `item ${index} "${text}" must be extn|domain, an extension number and a domain name`;
    }
    extensions.push({ extn, domain });
  }
  return extensions;
}

const describeCharacters = 'must not contain control characters (other than tab and line breaks)';

function textProblem(field: string, value: string | undefined): ValueProblem | null {
  return value !== undefined && XML_UNREPRESENTABLE.test(value) ? { field, problem: describeCharacters } : null;
}

function singleLineProblem(field: string, value: string): ValueProblem | null {
  return /[\r\n]/.test(value) ? { field, problem: 'must be a single line' } : textProblem(field, value);
}

export interface DestinationValues {
  dest_type: string;
  dest_uuid?: string | undefined;
  body?: string | undefined;
}

/** Why this destination cannot be rendered into a dialplan, or null. */
/** Destination types whose `dest_uuid` must name an object (the spec's create-route table). */
export const DEST_TYPES_NEEDING_UUID: ReadonlySet<string> = new Set([
  'FS_DEST_GATEWAY',
  'FS_DEST_USERGW',
  'FS_DEST_IVRBLOCK',
  'FS_DEST_MEETING_ROOM',
  'FS_DEST_CONFERENCE_ROOM',
  'FS_DEST_CTI',
  'FS_DEST_IVR',
  'FS_DEST_DISTRIBUTORS',
  'FS_DEST_CLUSTER_TRUNK',
  'FS_DEST_CLUSTER_TRUNK_GROUP',
]);

/** Destination types whose target is `body` itself (an address, a script) or a list in `dest_uuid`. */
const TARGET_IN_BODY: ReadonlySet<string> = new Set(['FS_DEST_IP', 'FS_DEST_SCRIPT']);
const TARGET_IN_LIST: ReadonlySet<string> = new Set(['FS_DEST_RING_EXTNS', 'FS_DEST_SEQ_EXTNS']);

/**
 * Whether the destination's type is set but what it points at is not chosen yet: CherryPBX's
 * create-route dialog sends the type only, and the object, address or extensions are chosen
 * afterwards on the route's page. Such a route is stored; calls that reach it are refused.
 */
export function destinationUnchosen(destination: DestinationValues): boolean {
  if (DEST_TYPES_NEEDING_UUID.has(destination.dest_type) || TARGET_IN_LIST.has(destination.dest_type)) {
    return (destination.dest_uuid ?? '') === '';
  }
  return TARGET_IN_BODY.has(destination.dest_type) && (destination.body ?? '').trim() === '';
}

export function destinationProblem(destination: DestinationValues, prefix = ''): ValueProblem | null {
  const body = destination.body ?? '';
  const destUuid = destination.dest_uuid ?? '';
  const at = (field: string, problem: string): ValueProblem => ({ field: `${prefix}${field}`, problem });
  const plain = textProblem(`${prefix}dest_uuid`, destUuid) ?? textProblem(`${prefix}body`, body);
  if (plain) return plain;
  switch (destination.dest_type) {
    case 'FS_DEST_IP':
      return HOST_AND_PORT.test(body) ? null : at('body', `"${body}" must be host[:port], the address calls to this route are sent to`);
    case 'FS_DEST_SYSTEM': {
      // An empty list is allowed: the call then ends when the dialplan has nothing to run.
      const bad = systemLines(body).find((line) => !APPLICATION.test(line.application));
      return bad ? at('body', `"${bad.application}" is not a dialplan application name`) : null;
    }
    case 'FS_DEST_SCRIPT':
      if (body.trim() === '') return at('body', 'must name the script to run (and its arguments)');
      return singleLineProblem(`${prefix}body`, body);
    case 'FS_DEST_RING_EXTNS':
    case 'FS_DEST_SEQ_EXTNS': {
      const extensions = extensionList(destUuid);
      return typeof extensions === 'string' ? at('dest_uuid', extensions) : null;
    }
    default:
      return null;
  }
}

export interface RouteValues {
  name?: string | undefined;
  dnc?: string | undefined;
  sdnc?: string | undefined;
  /** Comma-joined, as stored. */
  media_codec?: string | undefined;
  ringback_tone?: string | undefined;
}

/**
 * What a ringback may play, as FreeSWITCH's `ringback` variable takes it: a tone, a stream, or a
 * sound file; nothing FreeSWITCH would expand (`$`, `{}`) and no spaces.
 */
const RINGBACK_SOUND = /^(?:tone_stream:\/\/[A-Za-z0-9%(),.;=+-]+|local_stream:\/\/[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*|silence_stream:\/\/\d{1,7}|(?:\/[A-Za-z0-9_.+@=-]+)+)$/;

/**
 * The sound a route's `ringback_tone` names, or a problem. CherryPBX's route page stores the tone
 * picked as JSON, `{"media_path":"tone_stream://%(1000,4000,450)","media_k":"cn-ring",…}`, and
 * reads it back with JSON.parse (anything else breaks the page), so that is the only form taken;
 * '' is none.
 */
export function ringbackSound(text: string): { sound: string } | { problem: string } {
  if (text === '') return { sound: '' };
  const shape = 'must be "" or JSON like {"media_path":"tone_stream://%(1000,4000,450)"}, as CherryPBX\'s route page stores it';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { problem: shape };
  }
  const path = (parsed as { media_path?: unknown } | null)?.media_path;
  if (typeof parsed !== 'object' || Array.isArray(parsed) || typeof path !== 'string') return { problem: shape };
  if (!RINGBACK_SOUND.test(path) || path.includes('/../')) {
    return { problem: `media_path "${path}" must be tone_stream://<tone>, local_stream://<name>, silence_stream://<ms> or an absolute sound file path` };
  }
  return { sound: path };
}

/**
 * Why the route's own values (name, number transforms, codecs) cannot be rendered, or null; its
 * destination is checked by `destinationProblem`, as time segments' are.
 */
export function routeProblem(route: RouteValues): ValueProblem | null {
  const problem = textProblem('name', route.name) ?? numberRulesProblem(route);
  if (problem) return problem;
  const ringback = ringbackSound(route.ringback_tone ?? '');
  if ('problem' in ringback) return { field: 'ringback_tone', problem: ringback.problem };
  const codecs = route.media_codec ? route.media_codec.split(',') : [];
  const badCodec = codecs.find((codec) => !CODEC.test(codec));
  if (badCodec !== undefined) return { field: 'media_codec', problem: `"${badCodec}" is not a codec name (like PCMU or opus@48000h@20i)` };
  return null;
}

/**
 * Why the dnc or sdnc rule of a route or a gateway can never do what its author meant, or null
 * ('' is no rule). A rule naming a translation table is well formed whatever follows the table id;
 * whether the table exists is the writer's to check (src/resources/number-translation/rules.ts).
 */
export function numberRulesProblem(rules: { dnc?: string | undefined; sdnc?: string | undefined }): ValueProblem | null {
  for (const field of ['dnc', 'sdnc'] as const) {
    const rule = rules[field];
    if (rule === undefined || rule === '') continue;
    const problem = textProblem(field, rule)?.problem ?? (translationTableOf(rule) === null ? validateNumberTransform(rule) : null);
    if (problem) return { field, problem };
  }
  return null;
}

/** Why this route param (a dialplan application and its data) cannot be rendered, or null. */
export function paramProblem(param: { k?: string | undefined; v?: string | undefined }): ValueProblem | null {
  if (param.k !== undefined && !APPLICATION.test(param.k)) {
    return { field: 'k', problem: `"${param.k}" is not a dialplan application name (letters, digits and _)` };
  }
  return param.v === undefined ? null : singleLineProblem('v', param.v);
}
