/**
 * The spec's 外呼 and 呼叫相关接口: place calls, list, hang up, and act on live channels. Every
 * endpoint goes through the ChannelControl port; this file knows HTTP and the spec's bodies only.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { HttpError, badRequest } from '../../http/errors.js';
import { ChangedEnvelope, changed } from '../../http/kit/envelopes.js';
import { ChannelCommandRefusedError, ChannelNotFoundError, ChannelRequestError, type ChannelControl } from './control.js';
import { ActionBody, ActionFailure, ActionReply, CHANNEL_COLUMNS, ChannelListRow, HangupQuery, OriginateBody, OriginateReply, UuidParams } from './schema.js';

/** Optional text: an empty field is an absent one, as forms send every field. */
const given = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value);

const flag = (value: boolean | number | undefined, otherwise: boolean): boolean => (value === undefined ? otherwise : value === true || value === 1);

/** A bad action field, with the spec's `reason` wording where the spec has one. */
class ActionInputError extends ChannelRequestError {
  constructor(
    field: string,
    problem: string,
    readonly reason?: string,
  ) {
    super(field, problem);
  }
}

function onOrOff(value: string | undefined, field: string, reason: string): boolean {
  if (value === 'on' || value === 'off') return value === 'on';
  throw new ActionInputError(field, 'must be on or off', reason);
}

/**
 * The spec's failure bodies for the actions (`reason` on a 400, `msg` on a 404), next to CONTRACT's
 * `code` and `message`, so clients of either read theirs.
 */
function actionFailure(error: HttpError): Static<typeof ActionFailure> {
  const body: Static<typeof ActionFailure> = { code: error.statusCode, message: error.message };
  if (typeof error.data === 'string') body.data = error.data;
  if (error instanceof ChannelNotFoundError || error instanceof ChannelCommandRefusedError) body.msg = error.switchText;
  else body.reason = error instanceof ActionInputError && error.reason ? error.reason : error.message;
  return body;
}

export async function channelRoutes(parent: FastifyInstance, options: { control: ChannelControl }): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { control } = options;

  app.post('/api/channels', {
    schema: {
      tags: ['channels'],
      summary: 'Place a call (外呼); also three-way, eavesdrop and intercept',
      body: OriginateBody,
      response: { 200: OriginateReply },
    },
  }, async (request) => {
    const body = request.body;
    const appName = given(body.app);
    const args = given(body.args);
    if (body.apps && appName !== undefined) throw badRequest('apps', 'send app or apps, not both');
    if (args !== undefined && appName === undefined) throw badRequest('app', 'is required when args is given');
    return control.originate({
      destNumber: body.destNumber,
      app: appName === undefined ? undefined : { app: appName, args },
      apps: body.apps,
      autoAnswer: flag(body.autoAnswer, false),
      earlyMedia: flag(body.earlyMedia, true),
      cidName: given(body.cidName),
      cidNumber: given(body.cidNumber),
      userGateway: given(body.userGateway),
      async: flag(body.async, false),
      switchName: given(body.switch),
    });
  });

  app.get('/api/channels', {
    schema: {
      tags: ['channels'],
      summary: 'Live channels of every connected switch (show channels)',
      response: { 200: Type.Array(ChannelListRow) },
    },
  }, async () => {
    const rows = await control.list();
    return rows.map(({ switchName, columns }) => ({
      ...Object.fromEntries(CHANNEL_COLUMNS.map((column) => [column, columns[column] ?? ''])),
      switch: switchName,
    }));
  });

  app.delete('/api/channels/:uuid', {
    schema: {
      tags: ['channels'],
      summary: 'Hang up a channel (强拆/挂机)',
      params: UuidParams,
      querystring: HangupQuery,
      response: { 200: ChangedEnvelope },
    },
  }, async (request) => {
    await control.hangup(request.params.uuid, given(request.query.hangupCause));
    return changed(request.params.uuid);
  });

  app.put('/api/channels/:uuid', {
    schema: {
      tags: ['channels'],
      summary: 'Act on a channel: deaf (静音), record (录屏), snapshot (截图)',
      params: UuidParams,
      body: ActionBody,
      response: { 200: ActionReply, '4xx': ActionFailure },
    },
  }, async (request, reply) => {
    const { uuid } = request.params;
    const body = request.body;
    try {
      switch (body.action) {
        case 'deaf':
          await control.deaf(uuid, onOrOff(body.deaf, 'deaf', 'missing mute param in json body'));
          return { msg: 'ok', code: 200 };
        case 'record': {
          const on = onOrOff(body.record, 'record', 'record param should be on or off');
          const { file } = await control.record(uuid, on, given(body.file_name));
          return { msg: 'ok', code: 200, ...(file === undefined ? {} : { file }) };
        }
        case 'snapshot': {
          const pngName = given(body.png_name);
          if (pngName === undefined) throw new ActionInputError('png_name', 'is required');
          await control.snapshot(uuid, pngName);
          return { msg: 'ok', code: 200 };
        }
        default:
          throw new ActionInputError('action', 'must be one of deaf, record, snapshot');
      }
    } catch (error) {
      if (error instanceof HttpError && error.statusCode < 500) return reply.status(error.statusCode as 400).send(actionFailure(error));
      throw error;
    }
  });
}
