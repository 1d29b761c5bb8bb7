/**
 * What IVR values look like stored, on the wire, and what FreeSWITCH can be given: sounds are a
 * media path or the JSON `{media_id, media_path, media_type}` the XSwitch console writes (stored as
 * written, answered as an object); everything that ends up in ivr.conf or in an application's data
 * is checked when written, so rendering never meets a value it cannot carry.
 */
import { badRequest } from '../../http/errors.js';
import { XML_UNREPRESENTABLE, paramProblem, systemLines } from '../../routing/dialplan-values.js';

export interface MediaChoice {
  media_id?: number | string;
  media_path: string;
  media_type?: string;
}

/** What the XSwitch console stores in a sound field: a JSON object, not a path. */
const looksLikeJson = (stored: string) => stored.trimStart().startsWith('{');

function parseMedia(stored: string): MediaChoice | undefined {
  try {
    const parsed: unknown = JSON.parse(stored);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const { media_id: id, media_path: path, media_type: type } = parsed as Record<string, unknown>;
    if (typeof path !== 'string') return undefined;
    if (id !== undefined && typeof id !== 'number' && typeof id !== 'string') return undefined;
    if (type !== undefined && typeof type !== 'string') return undefined;
    return { ...(id === undefined ? {} : { media_id: id }), media_path: path, ...(type === undefined ? {} : { media_type: type }) };
  } catch {
    return undefined;
  }
}

/**
 * Why a value cannot go into an ivr.conf attribute or an application's data, or null: it must be
 * one line of XML-representable text, and hold no `${` (FreeSWITCH would expand it as a variable;
 * `$${name}`, expanded when the document is loaded, is allowed where `allowGlobals` says so).
 */
function lineProblem(value: string, allowGlobals = false): string | null {
  if (XML_UNREPRESENTABLE.test(value)) return 'must not contain control characters';
  if (/[\r\n]/.test(value)) return 'must be a single line';
  const withoutGlobals = allowGlobals ? value.replace(/\$\$\{[A-Za-z0-9_]+\}/g, '') : value;
  if (withoutGlobals.includes('${')) return 'must not contain ${...}: FreeSWITCH would expand it';
  return null;
}

/** Checks a line of text for `field`, as lineProblem says. */
export function assertLine(field: string, value: string, allowGlobals = false): void {
  const problem = lineProblem(value, allowGlobals);
  if (problem) throw badRequest(field, problem);
}

/** The stored form of a sound field: '' or a path as given, or the media JSON normalised. */
export function storedSound(field: string, value: string): string {
  if (value.trim() === '') return '';
  if (!looksLikeJson(value)) {
    assertLine(field, value, true);
    return value;
  }
  const media = parseMedia(value);
  if (!media) throw badRequest(field, 'must be a sound path or a JSON object {"media_id","media_path","media_type"} with a string media_path');
  assertLine(`${field}.media_path`, media.media_path, true);
  return JSON.stringify(media);
}

/** A sound field on the wire: the media object, or the path as stored ('' for none). */
export function soundOnWire(stored: string): MediaChoice | string {
  return looksLikeJson(stored) ? parseMedia(stored) ?? stored : stored;
}

/** What FreeSWITCH plays for a sound field, as the client wrote it. */
export function soundPath(stored: string): string {
  return looksLikeJson(stored) ? parseMedia(stored)?.media_path ?? '' : stored;
}

/**
 * The media file a sound field plays, by id: the console's JSON with a media_id, unless its
 * media_path is a tone, a stream or a phrase (`tone_stream://…`, `phrase:…`), whose id is no file's.
 */
export function soundMediaId(stored: string): number | undefined {
  if (!looksLikeJson(stored)) return undefined;
  const media = parseMedia(stored);
  if (media?.media_id === undefined || /^[a-z_]+:/i.test(media.media_path)) return undefined;
  const id = Number(media.media_id);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/** `app data` as a menu runs it (exec-on-max-failures, IVR_SYSTEM): an application name and its data. */
export function assertApplicationLine(field: string, value: string): void {
  if (value.trim() === '') return;
  assertLine(field, value);
  const [line] = systemLines(value);
  const problem = line && paramProblem({ k: line.application });
  if (problem) throw badRequest(field, problem.problem);
}

/** An IVR name is the menu's name in ivr.conf and the `ivr` application's data. */
export function assertMenuName(name: string): void {
  assertLine('name', name);
  if (name.includes('$')) throw badRequest('name', 'must not contain $: FreeSWITCH would expand it');
  if (name.trim() !== name) throw badRequest('name', 'must not begin or end with spaces');
}

/** DTMF keys an action is bound to. */
export const DIGITS_PATTERN = '^[0-9A-Da-d*#]+$';

