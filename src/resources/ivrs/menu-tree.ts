import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { IVR_DEFAULTS, IVR_SOUND_COLUMNS, IVR_TEXT_COLUMNS } from '../../db/migrations/0005-ivrs-blocks-function-codes.js';
import type { Database, Row } from '../../db/schema.js';
import { soundMediaId, soundPath } from './values.js';

/** One action of a menu as ivr.conf needs it, with the sub-menu and context it names resolved. */
export interface MenuEntryData {
  action: string;
  digits: string;
  matchPrefix: boolean;
  args: string;
  body: string;
  /** IVR_SUB: the sub-menu's name. */
  subMenu?: string;
  /** IVR_ROUTE: the key of the context args names. */
  context?: string;
}

export type MenuSetting = (typeof IVR_SOUND_COLUMNS)[number] | (typeof IVR_TEXT_COLUMNS)[number] | keyof typeof IVR_DEFAULTS;

export interface MenuData {
  name: string;
  /** Every setting as text, sounds as the path FreeSWITCH plays. */
  settings: Record<MenuSetting, string>;
  entries: MenuEntryData[];
}

function settingsOf(row: Row<'ivr_menus'>, played: (stored: string) => string): Record<MenuSetting, string> {
  const settings = {} as Record<MenuSetting, string>;
  for (const column of IVR_SOUND_COLUMNS) settings[column] = played(row[column]);
  for (const column of IVR_TEXT_COLUMNS) settings[column] = row[column];
  for (const column of Object.keys(IVR_DEFAULTS) as (keyof typeof IVR_DEFAULTS)[]) settings[column] = String(row[column]);
  return settings;
}

const subMenuId = (action: Row<'ivr_actions'>) => (action.action === 'IVR_SUB' ? Number(action.args) : undefined);

/**
 * What FreeSWITCH plays for each stored sound: a media file named by id is played from MEDIA_DIR
 * where it is stored now (the path the console wrote beside the id may be stale or another
 * host's); the written path otherwise, and when that file is gone.
 */
async function soundResolver(db: Kysely<Database>, mediaDir: string, sounds: readonly string[]): Promise<(stored: string) => string> {
  const ids = [...new Set(sounds.map(soundMediaId).filter((id): id is number => id !== undefined))];
  const files = ids.length === 0 ? [] : await db.selectFrom('media_files').select(['id', 'file_name']).where('id', 'in', ids).execute();
  const fileOf = new Map(files.map((file) => [file.id, file.file_name]));
  return (stored) => {
    const file = fileOf.get(soundMediaId(stored) ?? 0);
    return file === undefined ? soundPath(stored) : join(mediaDir, file);
  };
}

/** IVR_PLAY's args as a sound field: a bare id (CherryPBX's pick) names that media file. */
const playedSound = (args: string) => (/^\d+$/.test(args) ? JSON.stringify({ media_id: Number(args), media_path: '' }) : args);

/**
 * The menus FreeSWITCH needs to run `name`: that menu and every menu its IVR_SUB entries lead to,
 * however deep (FreeSWITCH builds sub-menus from the same document); every menu when `name` is
 * undefined; none when no menu has that name. Sounds are what FreeSWITCH plays (soundResolver).
 */
export async function menusFor(db: Kysely<Database>, name: string | undefined, mediaDir: string): Promise<MenuData[]> {
  let menus = await (name === undefined
    ? db.selectFrom('ivr_menus').selectAll().orderBy('id').execute()
    : db.selectFrom('ivr_menus').selectAll().where('name', '=', name).execute());
  const actions = new Map<number, Row<'ivr_actions'>[]>();
  let pending = menus.map((menu) => menu.id);
  while (pending.length > 0) {
    const rows = await db.selectFrom('ivr_actions').selectAll().where('ivr_menu_id', 'in', pending).orderBy('id').execute();
    for (const id of pending) actions.set(id, []);
    for (const row of rows) actions.get(row.ivr_menu_id)!.push(row);
    const wanted = [...new Set(rows.map(subMenuId).filter((id): id is number => id !== undefined && !actions.has(id)))];
    const found = wanted.length === 0 ? [] : await db.selectFrom('ivr_menus').selectAll().where('id', 'in', wanted).orderBy('id').execute();
    menus = [...menus, ...found];
    pending = found.map((menu) => menu.id);
  }

  const namesById = new Map(menus.map((menu) => [menu.id, menu.name]));
  const contextIds = [...new Set([...actions.values()].flat().filter((row) => row.action === 'IVR_ROUTE' && row.args !== '').map((row) => Number(row.args)))];
  const contexts = contextIds.length === 0 ? [] : await db.selectFrom('contexts').select(['id', 'key']).where('id', 'in', contextIds).execute();
  const keysById = new Map(contexts.map((context) => [context.id, context.key]));
  const played = await soundResolver(db, mediaDir, [
    ...menus.flatMap((menu) => IVR_SOUND_COLUMNS.map((column) => menu[column])),
    ...[...actions.values()].flat().filter((row) => row.action === 'IVR_PLAY').map((row) => playedSound(row.args)),
  ]);

  return menus.map((menu) => ({
    name: menu.name,
    settings: settingsOf(menu, played),
    entries: actions.get(menu.id)!.map((row): MenuEntryData => {
      const subMenu = namesById.get(subMenuId(row) ?? 0);
      const context = row.action === 'IVR_ROUTE' ? keysById.get(Number(row.args)) : undefined;
      return {
        action: row.action,
        digits: row.digits,
        matchPrefix: row.match_prefix === 1,
        args: row.action === 'IVR_PLAY' ? played(playedSound(row.args)) : row.args,
        body: row.body,
        ...(subMenu === undefined ? {} : { subMenu }),
        ...(context === undefined ? {} : { context }),
      };
    }),
  }));
}
