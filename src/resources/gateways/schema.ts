import { Type } from 'typebox';
import { Flag, Id, Int, IntAsString, Text, TimestampFields } from '../../http/kit/types.js';
import { OwnedParamRow } from '../sip-profiles/owned-params.js';
import { PROFILE_NAME_PATTERN } from '../sip-profiles/schema.js';

/** Gateway names go into `sofia/gateway/NAME/...` dial strings and `sofia profile P killgw NAME`. */
const GatewayName = Type.String({ pattern: PROFILE_NAME_PATTERN, minLength: 1, maxLength: 64, description: 'gateway name (letters, digits, _ . -)' });
const Register = Type.Union([Type.Literal('yes'), Type.Literal('no'), Type.Literal('true'), Type.Literal('false')], {
  description: 'register with the realm: yes/no (true/false as CherryPBX sends)',
});

const common = {
  name: Type.String(),
  realm: Type.String(),
  username: Type.String(),
  register: Type.String(),
  description: Type.String(),
  /** CherryPBX compares the gateways' `disabled` with the string "0". */
  disabled: IntAsString,
  /** The gateway's number transforms, "" for none (CherryPBX's 号码变换 section). */
  dnc: Type.String(),
  sdnc: Type.String(),
  ...TimestampFields,
};

/** The spec's list row: ids as strings, and `password` always "" (lists never carry passwords). */
export const GatewayListRow = Type.Object({ id: IntAsString, profile_id: IntAsString, password: Type.String(), ...common });

export const GatewayVariableRow = Type.Object({
  id: Type.Integer(),
  gateway_id: Type.Integer(),
  k: Type.String(),
  v: Type.String(),
  direction: Type.Integer(),
  disabled: Type.Integer(),
  ...TimestampFields,
});

export const GatewayDetail = Type.Object({
  id: Type.Integer(),
  profile_id: Type.Integer(),
  ...common,
  params: Type.Array(OwnedParamRow),
  variables: Type.Array(GatewayVariableRow),
});

const Value = (maxLength = 255) => Type.String({ maxLength });
/** As a route's dnc/sdnc (the same rules, a translation table included), applied after the route's. */
const numberRules = {
  dnc: Type.Optional(Text(255, 'called-number transform of calls leaving through the gateway, applied after the route\'s dnc')),
  sdnc: Type.Optional(Text(255, 'caller-number transform of calls leaving through the gateway, applied after the route\'s sdnc and the DOD')),
};

export const GatewayCreate = Type.Object({
  name: GatewayName,
  realm: Type.String({ minLength: 1, maxLength: 255, description: 'registrar / far end, host[:port]' }),
  username: Type.Optional(Value()),
  password: Type.Optional(Value()),
  register: Type.Optional(Register),
  profile_id: Type.Optional(Id),
  description: Type.Optional(Text()),
  disabled: Type.Optional(Flag),
  template: Type.Optional(Type.String({ maxLength: 32, description: '"default": the default parameter template; a gateway id: that gateway\'s parameters' })),
  ...numberRules,
});

export const GatewayUpdate = Type.Object({
  name: Type.Optional(GatewayName),
  realm: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  username: Type.Optional(Value()),
  password: Type.Optional(Type.String({ maxLength: 255, description: '"" keeps the stored password (clients never see it to send it back)' })),
  register: Type.Optional(Register),
  profile_id: Type.Optional(Id),
  description: Type.Optional(Text()),
  disabled: Type.Optional(Flag),
  ...numberRules,
  action: Type.Optional(Type.Literal('toggle')),
});

/** 0 both, 1 inbound, 2 outbound; the spec's curl example also sends the words. */
export const Direction = Type.Union([
  Int({ minimum: 0, maximum: 2, description: '0 both, 1 inbound, 2 outbound' }),
  Type.Literal('both'), Type.Literal('inbound'), Type.Literal('outbound'),
]);
const VariableName = Type.String({ pattern: '^[A-Za-z0-9_][A-Za-z0-9_.:-]*$', minLength: 1, maxLength: 128, description: 'channel variable name' });

export const VariableCreate = Type.Object({
  k: VariableName,
  v: Type.Optional(Value(1024)),
  direction: Type.Optional(Direction),
  disabled: Type.Optional(Flag),
});
export const VariableUpdate = Type.Object({
  k: Type.Optional(VariableName),
  v: Type.Optional(Value(1024)),
  direction: Type.Optional(Direction),
  disabled: Type.Optional(Flag),
  action: Type.Optional(Type.Literal('toggle')),
});

export const GatewayControlBody = Type.Object({
  gwname: Type.Optional(Type.String({ maxLength: 64 })),
  action: Type.Optional(Type.String({ maxLength: 32, description: 'start, killgw (stop), register (reg), unregister (unreg)' })),
});

export const GatewayListStatus = Type.Array(Type.Object({ gwname: Type.String(), gwstatus: Type.String() }));
export const GatewayList1Status = Type.Array(Type.Object({ name: Type.String(), gateway_state: Type.String(), gateway_status: Type.String() }));
