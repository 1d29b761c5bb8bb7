import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Db } from '../db/connect.js';
import { DEFAULT_SIP_DOMAIN, defaultHttpLimits, defaultLoginThrottle, defaultMediaDir, defaultRecordingsDir, type CookieSecure, type HttpLimits, type LoginThrottleLimits } from '../config.js';
import { authPlugin } from './auth.js';
import { answerClientError, answerFrameworkError, installErrorHandling } from './errors.js';
import { installBodyParsers, installInputChecks } from './input.js';
import { sessionRoutes } from '../resources/sessions/routes.js';
import { SessionStore } from '../resources/sessions/store.js';
import { LoginThrottle } from '../resources/sessions/throttle.js';
import { userRoutes } from '../resources/users/routes.js';
import { contextRoutes } from '../resources/contexts/routes.js';
import { dictRoutes } from '../resources/dicts/routes.js';
import { RouteTable } from '../resources/routes/route-table.js';
import { Destinations } from '../resources/routes/destinations.js';
import { WritePath } from '../db/write-path.js';
import { References } from '../db/references.js';
import { routeRoutes } from '../resources/routes/routes.js';
import { explainRoutes } from '../resources/routes/explain.js';
import { timeSegmentRoutes } from '../resources/time-recurrence/routes.js';
import { timeTemplateRoutes } from '../resources/time-templates/routes.js';
import { channelRoutes } from '../resources/channels/routes.js';
import { configRoutes } from '../resources/configs/routes.js';
import { mediaFileRoutes } from '../resources/media-files/routes.js';
import { tonePathRewrite } from '../resources/media-files/tones.js';
import { statusRoutes } from '../resources/status/routes.js';
import { EslSwitchStatus } from '../freeswitch/switch-status.js';
import { SwitchChannelControl } from '../freeswitch/channel-control.js';
import { Switches } from '../freeswitch/esl/switches.js';
import { xmlCurlPlugin } from '../freeswitch/xml-curl.js';
import { FunctionCodeTable } from '../resources/function-codes/code-table.js';
import { SofiaSwitchSync, sofiaConfSource } from '../freeswitch/switch-effects.js';
import { sipProfileRoutes } from '../resources/sip-profiles/routes.js';
import { gatewayRoutes } from '../resources/gateways/routes.js';
import { ivrRoutes } from '../resources/ivrs/routes.js';
import { functionCodeRoutes } from '../resources/function-codes/routes.js';
import { blockRoutes } from '../resources/blocks/routes.js';
import { menusFor } from '../resources/ivrs/menu-tree.js';
import { renderIvrConf } from '../freeswitch/xml/ivr-conf.js';
import { trunkRoutes } from '../resources/trunks/routes.js';
import { blacklistRoutes } from '../resources/blacklists/routes.js';
import { numberTranslationRoutes } from '../resources/number-translation/routes.js';
import { trunkGroupRoutes } from '../resources/trunk-groups/routes.js';
import { routeCodeRoutes } from '../resources/route-codes/routes.js';
import { LiveNumberPlans } from '../resources/hotlines/number-plans.js';
import { hotlineRoutes } from '../resources/hotlines/routes.js';
import { dodRoutes } from '../resources/dods/routes.js';
import { ExtensionDetails } from '../resources/extensions/details.js';
import { groupRoutes } from '../resources/groups/routes.js';
import { extensionFeaturesPlugin } from '../resources/extension-features/features.js';
import { extensionRoutes } from '../resources/extensions/routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    /** The one path by which every resource writes (transaction, change feed, effects). */
    writes: WritePath;
    /** Who refers to whose rows, so a delete can refuse while something still does. */
    references: References;
    /** The resources routes can send calls to, registered by those resources. */
    destinations: Destinations;
    routeTable: RouteTable;
    /** The enabled function codes, as the dialplan matches dialled numbers against them. */
    functionCodes: FunctionCodeTable;
  }
}

export interface ServerOptions {
  db: Db;
  sessionTtlSeconds: number;
  /** Defaults: config.ts `defaultHttpLimits`. */
  http?: HttpLimits;
  /** Defaults: config.ts `defaultLoginThrottle`. */
  loginThrottle?: LoginThrottleLimits;
  /** `auto` (default) marks the session cookie Secure when the request came over HTTPS. */
  cookieSecure?: CookieSecure;
  /** Fastify's `trustProxy`: whose X-Forwarded-For/-Proto to believe. */
  trustProxy?: boolean | string;
  /** IANA zone for time segments; the process zone by default. */
  timeZone?: string;
  /** The switches of FREESWITCH_ESL, started and closed by the caller; none when omitted. */
  switches?: Switches;
  /** Where switches write recordings and snapshots (config.ts `recordingsDir`). */
  recordingsDir?: string;
  /** Where media files are stored (config.ts `mediaDir`). */
  mediaDir?: string;
  /** Largest media file an upload may carry; 50 MiB by default. */
  mediaMaxFileBytes?: number;
  /** The SIP domain of extensions whose context names none (config.ts `sipDomain`). */
  sipDomain?: string;
  /** HTTP basic auth of POST /freeswitch/xml (config.ts `freeswitchXml`); open when omitted. */
  freeswitchXml?: { user: string; password: string };
  /** Omitted in tests: no log output. */
  logger?: FastifyBaseLogger;
}

const TEN_MIB = 10 * 1024 * 1024;

/**
 * On shutdown, answers still in flight ask the client to close the connection; otherwise a busy
 * keep-alive connection would hold the process open until its idle timeout.
 */
function closeConnectionsWhenStopping(app: FastifyInstance): void {
  let stopping = false;
  app.addHook('preClose', async () => {
    stopping = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (stopping) reply.header('connection', 'close');
  });
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const limits = options.http ?? defaultHttpLimits;
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: TEN_MIB,
    trustProxy: options.trustProxy ?? false,
    // Slow or idle clients must not hold connections: the head, the whole request and an idle
    // kept-alive connection each have a deadline, checked every second (Node checks every 30 s
    // by default, which would triple the headers deadline).
    http: { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: 1_000 },
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    routerOptions: { ignoreTrailingSlash: true },
    rewriteUrl: (request) => tonePathRewrite(request.url ?? ''),
    // Errors raised before any route runs, in CONTRACT's shape too (errors.ts).
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    // A request that still arrives while closing is served, its answer closing the connection,
    // rather than refused with a 503 in Fastify's own shape.
    return503OnClosing: false,
    ajv: {
      // Unknown keys are dropped before handlers see them (CONTRACT: ignored, never written);
      // numeric strings and 0/1/true/false are coerced to the declared types.
      customOptions: { removeAdditional: 'all', coerceTypes: 'array', useDefaults: true, allErrors: false },
    },
  });
  app.server.maxConnections = limits.maxConnections;
  app.decorate('db', options.db);
  installBodyParsers(app);
  installInputChecks(app);
  closeConnectionsWhenStopping(app);
  const zone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const writes = new WritePath(options.db, (message) => app.log.error(message));
  const references = new References();
  app.decorate('writes', writes);
  app.decorate('references', references);
  app.decorate('destinations', new Destinations(references));
  app.decorate('extensionDetails', new ExtensionDetails());
  const numberPlans = new LiveNumberPlans(options.db, (message) => app.log.error(message));
  await numberPlans.start(writes);
  const routeTable = new RouteTable(options.db, zone, (message) => app.log.error(message), numberPlans);
  await routeTable.start(writes);
  app.decorate('routeTable', routeTable);
  const functionCodes = new FunctionCodeTable(options.db.kysely);
  await functionCodes.start(writes);
  app.decorate('functionCodes', functionCodes);
  installErrorHandling(app);

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Switchboard', description: 'XSwitch PBX REST API for FreeSWITCH', version: '0.1.0' },
      components: {
        securitySchemes: {
          xtraAuth: { type: 'apiKey', in: 'header', name: 'X-XTRA-AUTH-ID' },
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'freeswitch_xtra_session_id' },
        },
      },
      security: [{ xtraAuth: [] }, { bearer: [] }, { cookie: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  const sessions = new SessionStore(options.db);
  await sessions.start(writes);
  await app.register(authPlugin, { sessions });

  const throttle = new LoginThrottle(options.db, options.loginThrottle ?? defaultLoginThrottle);
  await app.register(sessionRoutes, {
    ttlSeconds: options.sessionTtlSeconds,
    sessions,
    cookieSecure: options.cookieSecure ?? 'auto',
    throttle,
  });
  await app.register(userRoutes, { throttle, defaultDomain: options.sipDomain ?? DEFAULT_SIP_DOMAIN });
  await app.register(groupRoutes);
  await app.register(contextRoutes);
  await app.register(dictRoutes);
  await app.register(routeRoutes);
  await app.register(explainRoutes, { routeTable, zone });
  await app.register(timeSegmentRoutes);
  await app.register(timeTemplateRoutes);
  const switches = options.switches ?? new Switches([], { logger: app.log });
  const recordingsDir = options.recordingsDir ?? defaultRecordingsDir();
  await app.register(channelRoutes, { control: new SwitchChannelControl(switches, { recordingsDir }) });
  const mediaDir = options.mediaDir ?? defaultMediaDir();
  const switchStatus = new EslSwitchStatus(switches);
  await app.register(statusRoutes, { switches: switchStatus, dataDirs: [recordingsDir, mediaDir] });
  await app.register(mediaFileRoutes, { mediaDir, maxFileBytes: options.mediaMaxFileBytes ?? 50 * 1024 * 1024 });
  await app.register(configRoutes);
  const sofia = new SofiaSwitchSync(switches, options.db.kysely, app.log);
  writes.onEffects(sofia.deliver);
  await app.register(sipProfileRoutes);
  await app.register(gatewayRoutes, { control: sofia });
  await app.register(ivrRoutes);
  await app.register(functionCodeRoutes);
  await app.register(blockRoutes);
  await app.register(trunkRoutes);
  await app.register(blacklistRoutes);
  await app.register(numberTranslationRoutes);
  await app.register(trunkGroupRoutes);
  await app.register(routeCodeRoutes);
  await app.register(extensionFeaturesPlugin);
  await app.register(extensionRoutes, { defaultDomain: options.sipDomain ?? DEFAULT_SIP_DOMAIN, registrations: switchStatus });
  await app.register(hotlineRoutes);
  await app.register(dodRoutes);
  await app.register(xmlCurlPlugin, { credentials: options.freeswitchXml, recordingsDir });
  app.freeswitchXml.addConfiguration('sofia.conf', sofiaConfSource(options.db.kysely));
  // `ivr <name>` asks for its menu by Menu-Name; an unknown name is "not found".
  app.freeswitchXml.addConfiguration('ivr.conf', async ({ fields }) => {
    const menus = await menusFor(options.db.kysely, fields.get('Menu-Name') || undefined, mediaDir);
    return menus.length === 0 ? null : renderIvrConf(menus);
  });

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
