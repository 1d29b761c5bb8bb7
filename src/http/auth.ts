import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { userOfToken, type SessionUser } from '../resources/sessions/store.js';
import { unauthorized } from './errors.js';

export const SESSION_COOKIE = 'freeswitch_xtra_session_id';

declare module 'fastify' {
  interface FastifyRequest {
    user: SessionUser | null;
    token: string | null;
  }
}

/** The token as XSwitch clients send it: X-XTRA-AUTH-ID, Bearer, or the session cookie. */
export function tokenOf(request: FastifyRequest): string | null {
  const header = request.headers['x-xtra-auth-id'];
  if (typeof header === 'string' && header !== '') return header;
  const authorization = request.headers.authorization;
  if (authorization?.toLowerCase().startsWith('bearer ')) return authorization.slice(7).trim() || null;
  return request.cookies?.[SESSION_COOKIE] || null;
}

/** The only /api requests answered without a token (CONTRACT.md). */
function isPublic(request: FastifyRequest): boolean {
  const path = request.routeOptions.url ?? request.url;
  return (request.method === 'POST' && path === '/api/sessions') || (request.method === 'GET' && path === '/api/ping');
}

async function authentication(app: FastifyInstance): Promise<void> {
  app.decorateRequest('user', null);
  app.decorateRequest('token', null);
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/') && request.url !== '/api') return;
    if (isPublic(request)) return;
    const token = tokenOf(request);
    if (!token) throw unauthorized('authentication required: send X-XTRA-AUTH-ID, a Bearer token or the session cookie');
    const user = await userOfToken(app.db, token);
    if (!user) throw unauthorized('invalid or expired token');
    request.user = user;
    request.token = token;
  });
}

export const authPlugin = fp(authentication, { name: 'auth', dependencies: ['@fastify/cookie'] });
