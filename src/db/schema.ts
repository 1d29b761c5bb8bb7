import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Column types of every table. Timestamps are stored as UTC ISO-8601 text in both dialects so
 * that one code path reads them; the HTTP layer renders them in the server's zone.
 */
export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  dicts: DictsTable;
  contexts: ContextsTable;
  change_log: ChangeLogTable;
}

interface Timestamps {
  created_at: string;
  updated_at: string;
}

export interface UsersTable extends Timestamps {
  id: Generated<number>;
  login: string;
  name: string;
  extn: string;
  password_hash: string;
  super_admin: number;
  disabled: number;
}

export interface SessionsTable {
  id: Generated<number>;
  token_hash: string;
  user_id: number;
  expires_at: string;
  created_at: string;
}

export interface DictsTable extends Timestamps {
  id: Generated<number>;
  realm: string;
  k: string;
  v: string;
  d: string;
  o: number;
}

export interface ContextsTable extends Timestamps {
  id: Generated<number>;
  name: string;
  description: string;
  key: string;
  domain: string;
  hotline_enabled: number;
}

/** One row per table whose in-memory caches other processes must refresh (see src/db/changes.ts). */
export interface ChangeLogTable {
  topic: string;
  version: number;
}

export type TableName = keyof Database;
export type Row<T extends TableName> = Selectable<Database[T]>;
export type NewRow<T extends TableName> = Insertable<Database[T]>;
export type RowPatch<T extends TableName> = Updateable<Database[T]>;
