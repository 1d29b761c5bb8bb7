import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Db } from '../db/connect.js';
import { authPlugin } from './auth.js';
import { installErrorHandling } from './errors.js';
import { sessionRoutes } from '../resources/sessions/routes.js';
import { contextRoutes } from '../resources/contexts/routes.js';
import { dictRoutes } from '../resources/dicts/routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
  }
}

export interface ServerOptions {
  db: Db;
  sessionTtlSeconds: number;
  /** Omitted in tests: no log output. */
  logger?: FastifyBaseLogger;
}

const TEN_MIB = 10 * 1024 * 1024;

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: TEN_MIB,
    routerOptions: { ignoreTrailingSlash: true },
    ajv: {
      // Unknown keys are dropped before handlers see them (CONTRACT: ignored, never written);
      // numeric strings and 0/1/true/false are coerced to the declared types.
      customOptions: { removeAdditional: 'all', coerceTypes: 'array', useDefaults: true, allErrors: false },
    },
  });
  app.decorate('db', options.db);
  installErrorHandling(app);

  await app.register(cookie);
  await app.register(formbody, { bodyLimit: TEN_MIB });
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
  await app.register(authPlugin);

  await app.register(sessionRoutes, { ttlSeconds: options.sessionTtlSeconds });
  await app.register(contextRoutes);
  await app.register(dictRoutes);

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
