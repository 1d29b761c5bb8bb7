import { Type } from 'typebox';
import { Flag, Text, TimestampFields } from '../../http/kit/types.js';
import { OwnedParamRow } from './owned-params.js';
import { ProfileFieldEdits, ProfileFields } from './profile-fields.js';

/** Names go into `sofia profile NAME ...` commands and `sofia/NAME/...` dial strings: one word. */
export const PROFILE_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]*$';

/** CherryPBX compares the profiles' `disabled` with the number 0. */
export const SipProfileRow = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  description: Type.String(),
  disabled: Type.Integer(),
  ...TimestampFields,
});
/** With its settings, and those CherryPBX's detail page shows as fields (`sip_ip`, `icodec`…) derived from them. */
export const SipProfileDetail = Type.Object({ ...SipProfileRow.properties, ...ProfileFields, params: Type.Array(OwnedParamRow) });

const ProfileName = Type.String({ pattern: PROFILE_NAME_PATTERN, minLength: 1, maxLength: 64, description: 'profile name (letters, digits, _ . -)' });

export const SipProfileCreate = Type.Object({
  name: ProfileName,
  description: Type.Optional(Text()),
  disabled: Type.Optional(Flag),
});

export const SipProfileUpdate = Type.Object({
  name: Type.Optional(ProfileName),
  description: Type.Optional(Text()),
  disabled: Type.Optional(Flag),
  ...ProfileFieldEdits,
});
