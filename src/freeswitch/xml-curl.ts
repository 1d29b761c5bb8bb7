/**
 * `POST /freeswitch/xml`: where FreeSWITCH's mod_xml_curl fetches its configuration. Outside
 * /api, so no session token applies: HTTP basic auth guards it (when configured), and every fetch
 * is answered with HTTP 200 and a document, "not found" when nobody serves it, because any HTTP
 * error makes FreeSWITCH log an ERR line per fetch.
 */
import { isUtf8 } from 'node:buffer';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { badRequest, unauthorized } from '../http/errors.js';
import { blockLua } from '../resources/blocks/script.js';
import { calledExtension } from '../resources/extension-features/features.js';
import { trunksToDial } from '../resources/trunk-groups/dial-order.js';
import { ringbackSound } from '../routing/dialplan-values.js';
import { FUNCTION_CODE_CONTEXT, matchFunctionCode } from '../routing/function-codes.js';
import { runFunctionCode } from './function-code-calls.js';
import { refusalOf } from '../routing/blacklist.js';
import { renderDialplan, renderHotlineDialplan } from './xml/dialplan.js';
import { renderDirectoryDomain, renderDirectoryUser } from './xml/directory.js';
import { NOT_FOUND_DOCUMENT, UnrenderableValueError } from './xml/document.js';
import { XmlSources, type FormFields, type XmlFetch, type XmlSource } from './xml/registry.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Add a source here to serve another section or configuration file to FreeSWITCH. */
    freeswitchXml: XmlSources;
  }
}

export interface XmlCurlOptions {
  /** HTTP basic auth credentials mod_xml_curl must send; undefined: the endpoint is open. */
  credentials: { user: string; password: string } | undefined;
  /** Where auto-recordings go, on the switch's file system. */
  recordingsDir: string;
}

export const XML_CURL_PATH = '/freeswitch/xml';
const FORM = 'application/x-www-form-urlencoded';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Compares `Authorization: Basic …` with the expected credentials in constant time: both sides
 * are hashed first, so neither the length nor the content of the secret leaks through timing.
 */
function basicAuthGuard(credentials: { user: string; password: string }): onRequestHookHandler {
  const expected = digest(`${credentials.user}:${credentials.password}`);
  // Not async: FreeSWITCH fetches on every call, and a promise per fetch costs more than the check.
  return (request, reply, done) => {
    const header = request.headers.authorization ?? '';
    const given = /^basic +(\S+)$/i.exec(header)?.[1];
    const decoded = given === undefined ? '' : Buffer.from(given, 'base64').toString('utf8');
    if (given !== undefined && timingSafeEqual(digest(decoded), expected)) return done();
    reply.header('www-authenticate', 'Basic realm="switchboard", charset="UTF-8"');
    done(unauthorized('FreeSWITCH XML fetches need the HTTP basic auth credentials of FREESWITCH_XML_USER/FREESWITCH_XML_PASSWORD'));
  };
}

/** A form value as sent: `+` is a space; a percent-escape that does not decode stays as sent (as input.ts reads forms). */
function decodeFormValue(text: string): string {
  // Most values (numbers, contexts) are sent as they are: nothing to decode.
  if (!text.includes('%') && !text.includes('+')) return text;
  const spaced = text.replaceAll('+', ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/**
 * A form body read field by field: mod_xml_curl posts some 200 fields per call (5 KB) and a
 * source reads a handful, so a field is looked up in the text when asked for, not all decoded
 * up front (that alone cost more than a whole bare Fastify request).
 */
class FormText implements FormFields {
  constructor(private readonly text: string) {}

  get(name: string): string | undefined {
    const key = `${encodeURIComponent(name)}=`;
    let start: number;
    if (this.text.startsWith(key)) {
      start = key.length;
    } else {
      const found = this.text.indexOf(`&${key}`);
      if (found < 0) return undefined;
      start = found + 1 + key.length;
    }
    const end = this.text.indexOf('&', start);
    return decodeFormValue(this.text.slice(start, end < 0 ? undefined : end));
  }
}

function fetchOf(form: FormFields): XmlFetch {
  return {
    section: form.get('section') ?? '',
    tagName: form.get('tag_name') ?? '',
    keyName: form.get('key_name') ?? '',
    keyValue: form.get('key_value') ?? '',
    fields: form,
  };
}

/** Writes refuse a ringback_tone that names no sound; a row from before that check rings as default. */
function ringbackOf(ringbackTone: string): string {
  const ringback = ringbackSound(ringbackTone);
  return 'sound' in ringback ? ringback.sound : '';
}

/** The dialplan: the routing engine's decision for the call, rendered as one extension. */
function dialplanSource(app: FastifyInstance, recordingsDir: string): XmlSource {
  return async ({ fields }) => {
    const context = fields.get('Hunt-Context') ?? fields.get('Caller-Context');
    const dialled = fields.get('Hunt-Destination-Number') ?? fields.get('Caller-Destination-Number');
    if (!context || dialled === undefined) return null;
    const callerNumber = fields.get('Caller-Caller-ID-Number') ?? fields.get('Hunt-Caller-ID-Number') ?? '';
    const functionCode = context === FUNCTION_CODE_CONTEXT ? matchFunctionCode(await app.functionCodes.enabled(), dialled) : null;
    if (functionCode) {
      const { document, refusal } = await runFunctionCode(app, context, functionCode, fields);
      if (refusal) app.log.warn({ context, destNumber: dialled, callerNumber }, `call hung up: ${refusal}`);
      return document;
    }
    const domainName = fields.get('variable_domain_name');
    // Set by FreeSWITCH only when the caller passed digest authentication as that extension.
    const authenticatedUser = fields.get('variable_user_name');
    const callerExtension = authenticatedUser ? { extn: authenticatedUser, domain: domainName ?? '' } : undefined;
    const decision = await app.routeTable.decide({ context, destNumber: dialled, callerNumber, ...(callerExtension ? { callerExtension } : {}) });
    if (decision.did?.applied) {
      const rendered = renderHotlineDialplan({ call: { context, destNumber: dialled }, extensions: decision.did.hotline.extensions });
      if (rendered.refusal) app.log.warn({ context, destNumber: dialled, callerNumber }, `call hung up: ${rendered.refusal}`);
      return rendered.document;
    }
    const { route, destination } = decision;
    if (!route || !destination) return null;
    const rejection = decision.blacklist && refusalOf(decision.blacklist);
    // Independent lookups, each a cache hit or one query: asked together, not one after another.
    const [[row], allParams, trunks, called, blockScript] = await Promise.all([
      app.routeTable.rowsOf([route.id]),
      app.routeTable.paramsOf(route.id),
      // A refused call takes no turn of a trunk group's rotation.
      rejection ? [] : trunksToDial(app.db.kysely, app.writes, destination.destType, destination.destUuid),
      destination.destType === 'FS_DEST_USER' && !rejection ? calledExtension(app.db.kysely, decision.destNumber, domainName || undefined) : undefined,
      destination.destType === 'FS_DEST_IVRBLOCK' ? blockLua(app.db.kysely, destination.destUuid) : undefined,
    ]);
    // Deleted since the decision: the next fetch decides without it.
    if (!row) return null;
    const params = allParams.filter((param) => param.disabled === 0);
    const rendered = renderDialplan({
      call: {
        context,
        destNumber: decision.destNumber,
        callerNumber: decision.callerNumber ?? callerNumber,
        domainName,
        autoRecord: fields.get('variable_auto_record') === 'true',
        dodLineNumber: decision.dod?.lineNumber,
        gateway: decision.gateway ? {
          dnc: decision.gateway.dnc,
          sdnc: decision.gateway.sdnc,
          destNumberBefore: decision.gateway.destNumberBefore,
          callerNumberBefore: decision.gateway.callerNumberBefore ?? callerNumber,
        } : undefined,
      },
      route: {
        id: row.id,
        name: row.name,
        dnc: row.dnc,
        sdnc: row.sdnc,
        autoRecord: row.auto_record === 1,
        mediaCodec: row.media_codec,
        proxyMedia: row.proxy_media !== 0,
        params: params.map(({ k, v }) => ({ k, v })),
        ringback: row.ringback_enabled === 1 ? ringbackOf(row.ringback_tone) : '',
      },
      destination: { ...destination, trunks, called: called && { ...called, ringback: ringbackOf(called.ringbackTone) }, blockLua: blockScript },
      recordingsDir,
      rejection,
    });
    if (rendered.refusal) {
      app.log.warn({ context, destNumber: dialled, callerNumber, routeId: row.id }, `call hung up: ${rendered.refusal}`);
    }
    return rendered.document;
  };
}

/**
 * The directory: an enabled extension for a lookup of its number in its domain (REGISTER and
 * INVITE digest, `user/N` dialling, …), the domain alone when no user is asked for.
 */
function directorySource(app: FastifyInstance): XmlSource {
  const db = app.db.kysely;
  return async ({ keyValue, fields }) => {
    // Gateways of users and IP-authenticated users' network lists: Switchboard has neither.
    if (fields.get('purpose')) return null;
    const domain = keyValue || fields.get('domain') || '';
    const user = fields.get('user');
    const enabled = db.selectFrom('extensions').where('domain', '=', domain).where('disabled', '=', 0);
    if (!user) return (await enabled.select('id').executeTakeFirst()) ? renderDirectoryDomain(domain) : null;
    const extension = await enabled.selectAll().where('extn', '=', user).executeTakeFirst();
    if (!extension) return null;
    return renderDirectoryUser({
      extn: extension.extn,
      domain: extension.domain,
      a1Hash: extension.a1_hash,
      context: extension.context,
      name: extension.name,
      cidName: extension.cid_name,
      cidNumber: extension.cid_number,
      autoRecord: extension.auto_record === 1,
      dtmfType: extension.dtmf_type,
      codec: extension.codec,
      voicemail: extension.voicemail === 1,
      vmA1Hash: extension.vm_a1_hash,
    });
  };
}

async function xmlCurl(app: FastifyInstance, options: XmlCurlOptions): Promise<void> {
  const sources = new XmlSources();
  sources.addSection('dialplan', dialplanSource(app, options.recordingsDir));
  sources.addSection('directory', directorySource(app));
  app.decorate('freeswitchXml', sources);
  if (!options.credentials) app.log.warn(`${XML_CURL_PATH} answers without authentication: set FREESWITCH_XML_USER and FREESWITCH_XML_PASSWORD`);

  // Its own form parser, for this route only: the text, read field by field (FormText).
  await app.register(async (scope) => {
    scope.removeContentTypeParser(FORM);
    scope.addContentTypeParser(FORM, { parseAs: 'buffer', bodyLimit: app.initialConfig.bodyLimit }, (_request, raw, done) => {
      if (!isUtf8(raw as Buffer)) return done(badRequest('body', 'is not valid UTF-8'), undefined);
      done(null, (raw as Buffer).toString('utf8'));
    });

    scope.post(XML_CURL_PATH, {
      schema: { hide: true },
      ...(options.credentials ? { onRequest: basicAuthGuard(options.credentials) } : {}),
    }, async (request, reply) => {
      // FreeSWITCH always posts a form; any other body has none of its fields.
      const fetch = fetchOf(new FormText(typeof request.body === 'string' ? request.body : ''));
      const source = sources.find(fetch);
      let document: string | null = null;
      try {
        document = source ? await source(fetch) : null;
      } catch (error) {
        if (!(error instanceof UnrenderableValueError)) throw error;
        request.log.error({ section: fetch.section, keyValue: fetch.keyValue }, `cannot render the ${fetch.section} document: ${error.message}`);
      }
      return reply.type('text/xml; charset=utf-8').send(document ?? NOT_FOUND_DOCUMENT);
    });
  });
}

export const xmlCurlPlugin = fp(xmlCurl, { name: 'freeswitch-xml-curl' });
