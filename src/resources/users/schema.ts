import { Type } from 'typebox';
import { ExtensionRow } from '../extensions/schema.js';
import { LIST_CAP } from '../../http/kit/listing.js';
import { Flag, Id, Int, Text, TimestampFields } from '../../http/kit/types.js';

/** The console's kinds of user (CherryPBX's user type picker); a kind is not a permission. */
export const USER_TYPES = ['NORMAL', 'AGENT'] as const;
const UserType = Type.Union(USER_TYPES.map((type) => Type.Literal(type)), { description: 'kind of user (not a permission)' });

const Login = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._@+-]*$',
  description: 'login name: letters, digits and . _ @ + -, starting with a letter or digit',
});
export const PASSWORD_MIN_LENGTH = 8;
const Password = Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: 1024, description: `at least ${PASSWORD_MIN_LENGTH} characters` });
const IsSuper = Type.Optional(Int({ minimum: 0, maximum: 1, description: 'the role: 1 administrator, 0 ordinary user' }));

/** What a client may set on a user, whether creating or editing. */
const userFields = {
  name: Type.Optional(Text(128)),
  type: Type.Optional(UserType),
  domain: Type.Optional(Text(255)),
  tel: Type.Optional(Text(64)),
  is_super: IsSuper,
  disabled: Type.Optional(Flag),
};

export const UserCreate = Type.Object({
  login: Login,
  password: Password,
  ...userFields,
  extn: Type.Optional(Text(32, 'an extension the user then owns, as the default one: an existing one nobody owns, or, with `extn_password`, a new one')),
  extn_password: Type.Optional(Type.String({ maxLength: 128, description: 'with a new `extn`: its SIP password (CherryPBX\'s "Create Extension")' })),
  context: Type.Optional(Type.String({ maxLength: 64, description: 'with a new `extn`: its context key (default context-1, the extensions\' context)' })),
});

export const UserUpdate = Type.Object({
  action: Type.Optional(Type.Literal('toggle', { description: 'with `extn_id`: make that extension of the user the default one' })),
  login: Type.Optional(Login),
  password: Type.Optional(Password),
  ...userFields,
  extn_id: Type.Optional(Type.Union([Id, Type.Null()], { description: 'the default extension, one the user owns; null: none' })),
});

export const UsersImport = Type.Object({
  users: Type.Array(UserCreate, { minItems: 1, maxItems: 1000, description: 'rows keyed by the export\'s header row, each with a password; numbers may be text' }),
});

export const UsersBatchUpdate = Type.Object({
  type: UserType,
  username: Type.Array(Id, { minItems: 1, maxItems: LIST_CAP, description: 'ids of the users (CherryPBX\'s name for them)' }),
  idle_timeout: Type.Optional(Int({ minimum: 0, description: 'accepted for CherryPBX; not kept' })),
});

export const ChangePassword = Type.Object({
  old_password: Type.String({ maxLength: 1024 }),
  password: Password,
});

export const ExtensionLeave = Type.Object({ extn_id: Id });

export const UserListQuery = {
  login: Type.Optional(Type.String({ description: 'substring of the login' })),
  name: Type.Optional(Type.String({ description: 'substring of the name' })),
  type: Type.Optional(Type.String({ description: 'kind of user, exactly' })),
  hpack: Type.Optional(Type.String({ description: 'accepted for CherryPBX; no effect' })),
};

/** A user on the wire: never a password or its hash. */
export const UserRow = Type.Object({
  id: Type.Integer(),
  login: Type.String(),
  name: Type.String(),
  type: Type.String(),
  domain: Type.String(),
  tel: Type.String(),
  is_super: Type.String({ description: '"1" administrator, "0" ordinary user (CherryPBX compares with "1")' }),
  disabled: Type.Integer(),
  extn: Type.String({ description: 'number of the default extension, or ""' }),
  extn_id: Type.Union([Type.Integer(), Type.Null()], { description: 'id of the default extension, or null' }),
  last_login_at: Type.String(),
  ...TimestampFields,
});

/** An extension as the user page lists it (the extensions list's row: never its secret). */
export const UserExtensionRow = Type.Omit(ExtensionRow, ['auto_record']);
