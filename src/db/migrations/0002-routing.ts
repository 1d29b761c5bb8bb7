import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { DialectName } from '../connect.js';
import { emptyText, withId } from './columns.js';

const text = (c: ColumnDefinitionBuilder) => c.notNull().defaultTo(emptyText);

export function routing(dialect: DialectName) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await withId(db.schema.createTable('routes'), dialect)
        .addColumn('name', 'varchar(128)', (c) => c.notNull().unique())
        .addColumn('description', 'varchar(1024)', text)
        .addColumn('prefix', 'varchar(64)', text)
        .addColumn('max_length', 'integer', (c) => c.notNull())
        .addColumn('context', 'varchar(64)', (c) => c.notNull())
        .addColumn('dnc', 'varchar(255)', text)
        .addColumn('sdnc', 'varchar(255)', text)
        .addColumn('dest_type', 'varchar(64)', (c) => c.notNull())
        .addColumn('dest_uuid', 'varchar(1024)', text)
        .addColumn('body', 'text', text)
        .addColumn('auto_record', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('bill_rate', 'varchar(32)', (c) => c.notNull().defaultTo('0.00'))
        .addColumn('blacklist', 'varchar(32)', text)
        .addColumn('proxy_media', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('route_type', 'integer', (c) => c.notNull().defaultTo(4))
        .addColumn('media_codec', 'varchar(255)', text)
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('cid_number', 'varchar(64)', text)
        .addColumn('did_enabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('ringback_enabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('ringback_tone', 'varchar(255)', text)
        .addColumn('force_video_recording', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('outdest_type', 'varchar(64)', text)
        .addColumn('outdest_uuid', 'varchar(255)', text)
        .addColumn('outbody', 'text', text)
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .addUniqueConstraint('routes_context_prefix_max_length', ['context', 'prefix', 'max_length'])
        .execute();
      await db.schema.createIndex('routes_dest').on('routes').columns(['dest_type', 'dest_uuid']).execute();

      // The generic key/value table of XUI: realm ROUTE holds dialplan applications of a route.
      await withId(db.schema.createTable('params'), dialect)
        .addColumn('realm', 'varchar(64)', (c) => c.notNull())
        .addColumn('ref_id', 'integer', (c) => c.notNull())
        .addColumn('k', 'varchar(255)', (c) => c.notNull())
        .addColumn('v', 'text', text)
        .addColumn('o', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('params_realm_ref').on('params').columns(['realm', 'ref_id']).execute();

      await withId(db.schema.createTable('time_recurrences'), dialect)
        .addColumn('route_id', 'integer', (c) => c.notNull().references('routes.id').onDelete('cascade'))
        .addColumn('time_recurrence', 'varchar(255)', (c) => c.notNull())
        .addColumn('dest_type', 'varchar(64)', (c) => c.notNull())
        .addColumn('dest_uuid', 'varchar(1024)', text)
        .addColumn('body', 'text', text)
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('time_recurrences_route').on('time_recurrences').column('route_id').execute();

      await withId(db.schema.createTable('time_templates'), dialect)
        .addColumn('name', 'varchar(128)', (c) => c.notNull().unique())
        .addColumn('description', 'varchar(1024)', text)
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();

      await withId(db.schema.createTable('template_recurrences'), dialect)
        .addColumn('template_id', 'integer', (c) => c.notNull().references('time_templates.id').onDelete('cascade'))
        .addColumn('time_recurrence', 'varchar(255)', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('template_recurrences_template').on('template_recurrences').column('template_id').execute();
    },
  };
}
