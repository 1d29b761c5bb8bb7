/**
 * ivr.conf from plain data: each IVR as a `<menu>` of mod_dptools' `ivr` application, its actions
 * as `<entry>` elements (research/xui-semantics.md §7). FreeSWITCH fetches ivr.conf each time a
 * call runs `ivr <name>`, with the name in `Menu-Name`, and builds sub-menus from the same
 * answer, so an answer holds the menu and every menu it leads to.
 */
import type { MenuData, MenuEntryData, MenuSetting } from '../../resources/ivrs/menu-tree.js';
import { extensionList } from '../../routing/dialplan-values.js';
import { freeswitchDocument, type XmlElement } from './document.js';
import { CONFERENCE_PROFILE } from './dialplan.js';

/** Menu settings in the order XUI writes them; each becomes the attribute with `-` for `_` ('' left out). */
const SETTINGS: readonly MenuSetting[] = [
  'greet_long', 'greet_short', 'invalid_sound', 'exit_sound', 'transfer_sound', 'timeout', 'max_failures', 'max_timeouts',
  'inter_digit_timeout', 'digit_len', 'exec_on_max_failures', 'exec_on_max_timeouts', 'confirm_macro', 'confirm_key',
  'tts_engine', 'tts_voice', 'confirm_attempts', 'pin', 'pin_file', 'bad_pin_file',
];

/** A menu as the IVR resource loads it: settings as text (sounds as paths), entries in order. */
export type IvrMenu = MenuData;
export type IvrEntry = MenuEntryData;

/** Where IVR_EXTENSION and IVR_ROUTE send callers when nothing else is said, as XSwitch does. */
export const IVR_DEFAULT_CONTEXT = 'context-1';

interface MenuEntry {
  action: 'menu-exec-app' | 'menu-play-sound' | 'menu-sub' | 'menu-top' | 'menu-back' | 'menu-exit';
  param?: string;
}

const app = (line: string): MenuEntry => ({ action: 'menu-exec-app', param: line });
/** Targets Switchboard does not manage yet (queues, rooms, scripts): the call ends saying so. */
const NOT_IMPLEMENTED = app('hangup SERVICE_NOT_IMPLEMENTED');

/**
 * What an action does in FreeSWITCH's terms. `number` is the keys pressed: the entry's digits,
 * or, when it matches a prefix, `$1`, which FreeSWITCH fills with the whole number pressed.
 */
function menuEntry(entry: IvrEntry, menu: IvrMenu, number: string): MenuEntry {
  switch (entry.action) {
    case 'IVR_EXTENSION': {
      const extensions = entry.args === '' ? [] : extensionList(entry.args);
      if (typeof extensions === 'string') return NOT_IMPLEMENTED;
      if (extensions.length === 0) return app(`transfer ${number} XML ${IVR_DEFAULT_CONTEXT}`);
      return app(`bridge ${extensions.map(({ extn, domain }) => `user/${extn}${domain ? `@${domain}` : ''}`).join(',')}`);
    }
    case 'IVR_ROUTE':
      return app(`transfer ${entry.body || number} XML ${entry.context ?? IVR_DEFAULT_CONTEXT}`);
    case 'IVR_CONFERENCE':
      return app(`conference ${entry.body || number}-$\${domain}@${CONFERENCE_PROFILE}`);
    case 'IVR_SYSTEM':
      return app((entry.body || entry.args).trim());
    case 'IVR_PLAY':
      return { action: 'menu-play-sound', param: entry.args };
    case 'IVR_TTS':
      return app(`speak ${menu.settings.tts_engine}|${menu.settings.tts_voice}|${entry.args}`);
    case 'IVR_SUB':
      return entry.subMenu === undefined ? NOT_IMPLEMENTED : { action: 'menu-sub', param: entry.subMenu };
    // The spec's IVR_TOP goes up one level and IVR_BACK to the main menu: FreeSWITCH names them the other way.
    case 'IVR_TOP':
      return { action: 'menu-back' };
    case 'IVR_BACK':
      return { action: 'menu-top' };
    case 'IVR_EXIT':
      return { action: 'menu-exit' };
    default:
      return NOT_IMPLEMENTED;
  }
}

/** `*` is a regular-expression operator; the other DTMF keys stand for themselves. */
const literal = (digits: string) => digits.replace(/\*/g, '\\*');

function entryElement(entry: IvrEntry, menu: IvrMenu): XmlElement {
  const digits = entry.matchPrefix ? `/^(${literal(entry.digits)}[0-9*#]*)$/` : entry.digits;
  const { action, param } = menuEntry(entry, menu, entry.matchPrefix ? '$1' : entry.digits);
  return { name: 'entry', attributes: { action, digits, ...(param === undefined ? {} : { param }) } };
}

/**
 * FreeSWITCH collects digits only while or after it plays the greeting: a menu without one would
 * fail at once, so it greets with a moment of silence instead.
 */
export const SILENT_GREETING = 'silence_stream://250';

function menuElement(menu: IvrMenu): XmlElement {
  const attributes: Record<string, string> = { name: menu.name };
  for (const setting of SETTINGS) {
    const value = setting === 'greet_long' ? menu.settings.greet_long || SILENT_GREETING : menu.settings[setting];
    if (value !== '') attributes[setting.replaceAll('_', '-')] = value;
  }
  return { name: 'menu', attributes, children: menu.entries.map((entry) => entryElement(entry, menu)) };
}

export function renderIvrConf(menus: readonly IvrMenu[]): string {
  return freeswitchDocument('configuration', [{
    name: 'configuration',
    attributes: { name: 'ivr.conf', description: 'IVR menus' },
    children: [{ name: 'menus', children: menus.map(menuElement) }],
  }]);
}
