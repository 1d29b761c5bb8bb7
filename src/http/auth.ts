import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { SessionStore, SessionUser } from '../resources/sessions/store.js';
import { HttpError, unauthorized } from './errors.js';

export const SESSION_COOKIE = 'freeswitch_xtra_session_id';

declare module 'fastify' {
  interface FastifyRequest {
    user: SessionUser | null;
    token: string | null;
  }
  interface FastifyContextConfig {
    /**
     * Who may call the route: administrators only when absent, so a new route is safe by default;
     * `user` opens it to every logged-in user (the handler then limits them to what is theirs).
     */
    access?: 'user';
  }
}

/** Whether the logged-in `user` may call the route `request` matched (an unknown path: administrators only). */
const mayCall = (request: FastifyRequest, user: SessionUser) =>
  user.super_admin === 1 || request.routeOptions.config?.access === 'user';

/** The user's own row, or any row for an administrator; else 403. */
export function assertSelfOrAdmin(request: FastifyRequest, userId: number): void {
  if (request.user?.super_admin !== 1 && request.user?.id !== userId) throw forbidden();
}

const forbidden = () => new HttpError(403, 'forbidden: this needs an administrator');

/** The token as XSwitch clients send it: X-XTRA-AUTH-ID, Bearer, or the session cookie. */
export function tokenOf(request: FastifyRequest): string | null {
  const header = request.headers['x-xtra-auth-id'];
  if (typeof header === 'string' && header !== '') return header;
  const authorization = request.headers.authorization;
  if (authorization?.toLowerCase().startsWith('bearer ')) return authorization.slice(7).trim() || null;
  return request.cookies?.[SESSION_COOKIE] || null;
}

/**
 * The path as the router sees it: the matched route's pattern, else the percent-decoded URL, so
 * that `/%61pi/contexts` (which the router serves as `/api/contexts`) is guarded like `/api/…`.
 */
function pathOf(request: FastifyRequest): string {
  if (request.routeOptions.url) return request.routeOptions.url;
  const raw = request.url.split('?')[0] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** The only /api requests answered without a token (CONTRACT.md); health checks ping with HEAD too. */
function isPublic(request: FastifyRequest): boolean {
  const path = pathOf(request);
  return (request.method === 'POST' && path === '/api/sessions')
    || ((request.method === 'GET' || request.method === 'HEAD') && path === '/api/ping');
}

async function authentication(app: FastifyInstance, options: { sessions: SessionStore }): Promise<void> {
  app.decorateRequest('user', null);
  app.decorateRequest('token', null);
  app.addHook('onRequest', async (request) => {
    const path = pathOf(request);
    if (!path.startsWith('/api/') && path !== '/api') return;
    if (isPublic(request)) return;
    const token = tokenOf(request);
    if (!token) throw unauthorized('authentication required: send X-XTRA-AUTH-ID, a Bearer token or the session cookie');
    const user = await options.sessions.userOf(token);
    if (!user) throw unauthorized('invalid or expired token');
    if (!mayCall(request, user)) throw forbidden();
    request.user = user;
    request.token = token;
  });
}

export const authPlugin = fp(authentication, { name: 'auth', dependencies: ['@fastify/cookie'] });
