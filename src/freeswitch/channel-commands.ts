/**
 * The FreeSWITCH commands the channels API sends, built in one place from what clients send.
 *
 * Why values are held to strict patterns rather than escaped: an originate line is parsed several
 * times over by FreeSWITCH. The API splits it on spaces (single quotes group, and are removed), the
 * `{...}` block is split on commas into `name=value` channel variables, the inline dialplan splits
 * the app list on commas and each app on its first colon, and every app's data is expanded
 * (`${var}`, `${api(...)}`) when it runs. No one escape survives all of these, so nothing a client
 * sends may hold a space (outside the one quoted field, the caller name), a quote, a comma, a brace,
 * `$`, a backslash or a control character; each field is checked against the shape its value has
 * (digits for numbers, a file name for files) and apps come from a whitelist. A refused value
 * throws UnsafeCommandValueError naming the API field, which the HTTP layer answers with 400.
 */
import { posix } from 'node:path';
import { UnsafeCommandValueError } from './esl/commands.js';

/** What a client names an app and its arguments with. */
export interface AppInput {
  app: string;
  args?: string | undefined;
}

export interface OriginateInput {
  destNumber: string;
  app?: AppInput | undefined;
  apps?: AppInput[] | undefined;
  autoAnswer: boolean;
  earlyMedia: boolean;
  cidName?: string | undefined;
  cidNumber?: string | undefined;
  userGateway?: string | undefined;
}

/** A checked originate, waiting only for its channel's uuid and the endpoint to dial. */
export interface OriginatePlan {
  destNumber: string;
  userGateway: string | undefined;
  /** Channel variables of the `{...}` block, values already in their final (quoted) form. */
  variables: [name: string, value: string][];
  /** The inline dialplan: `app:data` elements joined by commas. */
  applications: string;
  /** Channels the apps act on (three_way, eavesdrop, intercept): the call must be placed on their switch. */
  targets: { uuid: string; field: string }[];
}

/** Where files the switch writes (recordings, snapshots) go. */
export interface FileContext {
  /** An absolute path, as the switch sees it. */
  recordingsDir: string;
}

/** The context a `transfer` app re-routes in: the seeded context of calls made by local extensions. */
export const TRANSFER_CONTEXT = 'context-1';

const NUMBER = /^[0-9+*#]{1,64}$/;
const NUMBER_RULE = 'must be 1 to 64 of the digits 0-9, +, * and #';
// Letters of any script, digits, and a few marks; spaces are kept by the quotes the builder adds.
const CALLER_NAME = /^[\p{L}\p{M}\p{N}][\p{L}\p{M}\p{N} ._@+-]{0,63}$/u;
const USER_ID = /^[A-Za-z0-9_.-]{1,64}$/;
/** FreeSWITCH's uuids, and anything an operator set with origination_uuid in the same alphabet. */
const CHANNEL_UUID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const HANGUP_CAUSE = /^[A-Z][A-Z_]{0,63}$/;
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
const SOUND_SEGMENT = /^[A-Za-z0-9_+@=-][A-Za-z0-9_.+@=-]{0,127}$/;
const FILE_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.+=-]{0,127}$/;

function check(value: string, pattern: RegExp, field: string, rule: string): string {
  if (!pattern.test(value)) throw new UnsafeCommandValueError(field, rule);
  return value;
}

export const checkChannelUuid = (value: string, field: string): string =>
  check(value, CHANNEL_UUID, field, 'must be a channel uuid (letters, digits, - and _)');

export const checkHangupCause = (value: string, field: string): string =>
  check(value, HANGUP_CAUSE, field, 'must be a hangup cause such as NORMAL_CLEARING (capital letters and _)');

/**
 * A file the switch writes: a plain name, or one subfolder and a name (`2024/call.wav`), with one
 * of `extensions`, resolved under the recordings directory and never outside it.
 */
export function recordingFile(name: string, field: string, extensions: readonly string[], context: FileContext): string {
  const segments = name.split('/');
  const rule = `must be a file name ending in .${extensions.join(', .')}, alone or in one subfolder (letters, digits, _ . + = -; no leading dot)`;
  if (segments.length > 2 || !segments.every((segment) => FILE_SEGMENT.test(segment))) throw new UnsafeCommandValueError(field, rule);
  const extension = posix.extname(name).slice(1).toLowerCase();
  if (!extensions.includes(extension)) throw new UnsafeCommandValueError(field, rule);
  const path = posix.join(context.recordingsDir, name);
  // The patterns already exclude `..`; this keeps the promise whatever they become.
  const inside = posix.relative(context.recordingsDir, path);
  if (inside === '' || inside.startsWith('..') || posix.isAbsolute(inside)) throw new UnsafeCommandValueError(field, rule);
  return path;
}

/** What playback may play: a sound file (absolute, or relative to the switch's sounds), silence or a local stream. */
function soundFile(args: string, field: string): string {
  if (/^silence_stream:\/\/\d{1,7}$/.test(args) || /^local_stream:\/\/[A-Za-z0-9_.-]{1,64}$/.test(args)) return args;
  const segments = (args.startsWith('/') ? args.slice(1) : args).split('/');
  if (args.length > 512 || !segments.every((segment) => SOUND_SEGMENT.test(segment) && !segment.startsWith('.'))) {
    throw new UnsafeCommandValueError(field, 'must be a sound file path (letters, digits, _ . + @ = - between slashes; no ..), silence_stream://<ms> or local_stream://<name>');
  }
  return args;
}

/** A bridge target: an extension number (dialled as user/<n>), user/<n>[@domain] or sofia/gateway/<name>/<number>. */
function bridgeTarget(args: string, field: string): string {
  if (NUMBER.test(args)) return `user/${args}`;
  if (/^user\/[0-9+*#]{1,64}(@[A-Za-z0-9.-]{1,253})?$/.test(args)) return args;
  const gateway = /^sofia\/gateway\/([^/]+)\/([^/]+)$/.exec(args);
  if (gateway && NAME.test(gateway[1]!) && NUMBER.test(gateway[2]!)) return args;
  throw new UnsafeCommandValueError(field, 'must be an extension number, user/<number>[@domain] or sofia/gateway/<gateway>/<number>');
}

/** Channel variables the `set` app may set: recording behaviour and the caller id shown. */
const SETTABLE_VARIABLES = new Set([
  'RECORD_ANSWER_REQ', 'RECORD_BRIDGE_REQ', 'RECORD_STEREO', 'RECORD_MIN_SEC', 'RECORD_READ_ONLY', 'RECORD_WRITE_ONLY',
  'effective_caller_id_name', 'effective_caller_id_number', 'hangup_after_bridge', 'continue_on_fail', 'call_timeout',
]);

function setAssignment(args: string, field: string): string {
  const match = /^([A-Za-z_]+)=([A-Za-z0-9_.+@-]{0,128})$/.exec(args);
  if (!match || !SETTABLE_VARIABLES.has(match[1]!)) {
    throw new UnsafeCommandValueError(field, `must be NAME=value with NAME one of ${[...SETTABLE_VARIABLES].join(', ')} and a value of letters, digits, _ . + @ -`);
  }
  return args;
}

const noArguments = (app: string) => (args: string, field: string): string => {
  if (args !== '') throw new UnsafeCommandValueError(field, `${app} takes no arguments`);
  return '';
};

interface AppRule {
  /** The app's data as it goes after `app:`, or '' for none. */
  data(args: string, field: string, context: FileContext): string;
  /** The args name a channel the app acts on. */
  targetsChannel?: true;
}

const channelTarget: AppRule = { data: (args, field) => checkChannelUuid(args, field), targetsChannel: true };

/**
 * The apps a client may run on a new channel. Left out on purpose: apps that run code or scripts
 * (lua, javascript, system), that read arbitrary files or URLs, or that set arbitrary variables.
 */
export const CHANNEL_APPS: Readonly<Record<string, AppRule>> = {
  park: { data: noArguments('park') },
  answer: { data: noArguments('answer') },
  echo: { data: noArguments('echo') },
  hangup: { data: (args, field) => (args === '' ? '' : checkHangupCause(args, field)) },
  sleep: { data: (args, field) => check(args, /^\d{1,7}$/, field, 'must be a number of milliseconds') },
  playback: { data: soundFile },
  record_session: { data: (args, field, context) => recordingFile(args, field, ['wav', 'mp3', 'mp4'], context) },
  record: { data: (args, field, context) => recordingFile(args, field, ['wav', 'mp3', 'mp4'], context) },
  // Quoted so that the API's space split keeps `<number> XML <context>` together; the quotes go there.
  transfer: { data: (args, field) => `'${check(args, NUMBER, field, NUMBER_RULE)} XML ${TRANSFER_CONTEXT}'` },
  bridge: { data: bridgeTarget },
  conference: { data: (args, field) => check(args, /^[A-Za-z0-9_.-]{1,64}(@[A-Za-z0-9_.-]{1,64})?$/, field, 'must be a room name, optionally @profile (letters, digits, _ . -)') },
  ivr: { data: (args, field) => check(args, NAME, field, 'must be an IVR menu name (letters, digits, _ . -)') },
  set: { data: setAssignment },
  three_way: channelTarget,
  eavesdrop: channelTarget,
  intercept: channelTarget,
};

const APP_RULE = `must be one of ${Object.keys(CHANNEL_APPS).join(', ')}`;

/** Checks every field of an originate and renders what does not depend on the switch. */
export function planOriginate(input: OriginateInput, context: FileContext): OriginatePlan {
  const destNumber = check(input.destNumber, NUMBER, 'destNumber', NUMBER_RULE);
  const variables: [string, string][] = [];
  if (input.cidName !== undefined) {
    const name = check(input.cidName, CALLER_NAME, 'cidName', 'must be 1 to 64 letters, digits, spaces and . _ @ + -, starting with a letter or digit');
    variables.push(['origination_caller_id_name', `'${name}'`]);
  }
  if (input.cidNumber !== undefined) variables.push(['origination_caller_id_number', check(input.cidNumber, NUMBER, 'cidNumber', NUMBER_RULE)]);
  if (!input.earlyMedia) variables.push(['ignore_early_media', 'true']);
  if (input.autoAnswer) variables.push(['sip_auto_answer', 'true']);
  const userGateway = input.userGateway === undefined ? undefined : check(input.userGateway, USER_ID, 'userGateway', 'must be a user id (letters, digits, _ . -)');

  const named = input.apps
    ? input.apps.map((app, index) => ({ ...app, appField: `apps.${index}.app`, argsField: `apps.${index}.args` }))
    : input.app ? [{ ...input.app, appField: 'app', argsField: 'args' }] : [];
  const targets: OriginatePlan['targets'] = [];
  const elements = named.map(({ app, args = '', appField, argsField }) => {
    const rule = Object.hasOwn(CHANNEL_APPS, app) ? CHANNEL_APPS[app] : undefined;
    if (!rule) throw new UnsafeCommandValueError(appField, APP_RULE);
    const data = rule.data(args, argsField, context);
    if (rule.targetsChannel) targets.push({ uuid: data, field: argsField });
    return data === '' ? app : `${app}:${data}`;
  });
  return { destNumber, userGateway, variables, applications: elements.length > 0 ? elements.join(',') : 'park', targets };
}

/** The endpoint of an extension. */
export const userEndpoint = (destNumber: string): string => `user/${destNumber}`;

// `sofia/<profile>/sip:<user>@<host>[;params]`, as `sofia_contact` answers for a registration.
const CONTACT = /^sofia\/([A-Za-z0-9_.-]+)\/sip:([A-Za-z0-9_.+*#%=-]+)@([A-Za-z0-9_.:[\]-]+)((?:;[A-Za-z0-9_.=%:-]+)*)$/;

/**
 * The endpoint that dials `destNumber` through a registered user's device: its contact (the first,
 * if it registered several) with the user part replaced, as XUI's user_gw.lua does. Undefined when
 * the user is not registered or its contact has characters that cannot go on an originate line
 * safely: a device chooses its own Contact header.
 */
export function endpointThroughContact(sofiaContact: string, destNumber: string): string | undefined {
  const first = sofiaContact.trim().split(',')[0] ?? '';
  const match = CONTACT.exec(first);
  if (!match) return undefined;
  const [, profile, , host, params] = match;
  return `sofia/${profile}/sip:${destNumber}@${host}${params}`;
}

/**
 * The arguments of `originate`: `{vars}<endpoint> <app list> inline`. `uuid` is the new channel's
 * origination_uuid; `endpoint` comes from userEndpoint or endpointThroughContact.
 */
export function originateArgs(plan: OriginatePlan, uuid: string, endpoint: string): string[] {
  const variables = [['origination_uuid', checkChannelUuid(uuid, 'uuid')], ...plan.variables];
  return [`{${variables.map(([name, value]) => `${name}=${value}`).join(',')}}${endpoint}`, plan.applications, 'inline'];
}
