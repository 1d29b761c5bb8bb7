import type { Kysely } from 'kysely';
import type { DialectName } from '../connect.js';
import { emptyText, withId } from './columns.js';

/** The spec's defaults of a new IVR menu. */
export const IVR_DEFAULTS = { timeout: 15000, max_failures: 3, max_timeouts: 4, digit_len: 1, inter_digit_timeout: 3000 } as const;

/** IVR sound columns: a media path, or the JSON `{media_id, media_path, media_type}` clients write. */
export const IVR_SOUND_COLUMNS = ['greet_long', 'greet_short', 'invalid_sound', 'exit_sound', 'transfer_sound', 'pin_file', 'bad_pin_file'] as const;

/** Single-line text settings of an IVR menu, rendered as menu attributes. */
export const IVR_TEXT_COLUMNS = [
  'exec_on_max_failures', 'exec_on_max_timeouts', 'confirm_macro', 'confirm_key', 'tts_engine', 'tts_voice', 'confirm_attempts', 'pin',
] as const;

export function ivrsBlocksFunctionCodes(dialect: DialectName) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      let menus = withId(db.schema.createTable('ivr_menus'), dialect)
        .addColumn('name', 'varchar(128)', (c) => c.notNull().unique())
        .addColumn('description', 'varchar(1024)', (c) => c.notNull().defaultTo(emptyText));
      for (const column of IVR_SOUND_COLUMNS) menus = menus.addColumn(column, 'varchar(2048)', (c) => c.notNull().defaultTo(emptyText));
      for (const column of IVR_TEXT_COLUMNS) menus = menus.addColumn(column, 'varchar(1024)', (c) => c.notNull().defaultTo(emptyText));
      for (const [column, value] of Object.entries(IVR_DEFAULTS)) menus = menus.addColumn(column, 'integer', (c) => c.notNull().defaultTo(value));
      await menus
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();

      await withId(db.schema.createTable('ivr_actions'), dialect)
        .addColumn('ivr_menu_id', 'integer', (c) => c.notNull().references('ivr_menus.id').onDelete('cascade'))
        .addColumn('digits', 'varchar(64)', (c) => c.notNull())
        .addColumn('action', 'varchar(64)', (c) => c.notNull())
        .addColumn('match_prefix', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('args', 'varchar(2048)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('body', 'varchar(2048)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('ivr_actions_menu').on('ivr_actions').column('ivr_menu_id').execute();
      // IVR_SUB actions name their sub-menu by id in args: deleting a menu asks who still does.
      await db.schema.createIndex('ivr_actions_action_args').on('ivr_actions').columns(['action', 'args']).execute();

      await withId(db.schema.createTable('function_codes'), dialect)
        .addColumn('func_code', 'varchar(32)', (c) => c.notNull().unique())
        .addColumn('func_type', 'varchar(64)', (c) => c.notNull())
        .addColumn('description', 'varchar(1024)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();

      await withId(db.schema.createTable('blocks'), dialect)
        .addColumn('name', 'varchar(128)', (c) => c.notNull())
        .addColumn('description', 'varchar(1024)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('ver', 'varchar(64)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('xml', 'text', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('js', 'text', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('lua', 'text', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('ivr_menu_id', 'varchar(32)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();
    },
  };
}
