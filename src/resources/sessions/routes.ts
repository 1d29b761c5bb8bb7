import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { HttpError, badRequest } from '../../http/errors.js';
import { SESSION_COOKIE } from '../../http/auth.js';
import { Message } from '../../http/kit/types.js';
import { checkCredentials, type SessionStore } from './store.js';
import type { LoginThrottle } from './throttle.js';
import type { CookieSecure } from '../../config.js';

const LoginBody = Type.Object({
  login: Type.Optional(Type.String({ maxLength: 128, description: 'user login (alias: username)' })),
  username: Type.Optional(Type.String({ maxLength: 128, description: 'alias of login' })),
  password: Type.String({ maxLength: 1024 }),
});

/** Flat, as CherryPBX and the XSwitch docs read it: the token must be at the top level. */
const LoginReply = Type.Object({
  code: Type.Integer(),
  message: Type.String(),
  token: Type.String(),
  session_id: Type.String(),
  user_id: Type.Integer(),
  extn: Type.String(),
  name: Type.String(),
  super_admin: Type.Integer(),
  currentAuthority: Type.String(),
  expires: Type.Integer({ description: 'expiry, seconds since the epoch' }),
  system_roles: Type.Object({ roles_str: Type.String(), senior_roles_str: Type.String() }),
});

export interface SessionRouteOptions {
  ttlSeconds: number;
  sessions: SessionStore;
  throttle: LoginThrottle;
  cookieSecure: CookieSecure;
}

export async function sessionRoutes(parent: FastifyInstance, options: SessionRouteOptions): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['sessions'];

  app.post('/api/sessions', {
    schema: { tags, summary: 'Log in', body: LoginBody, response: { 200: LoginReply, 403: Message, 429: Message } },
  }, async (request, reply) => {
    // A token must never sit in a shared cache, nor a refusal be replayed from one.
    reply.header('cache-control', 'no-store');
    const login = request.body.login ?? request.body.username;
    if (!login) throw badRequest('login', 'is required');
    const wait = await options.throttle.retryAfter(login, request.ip);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      throw new HttpError(429, `too many failed logins; try again in ${wait} s`);
    }
    const user = await checkCredentials(app.db, login, request.body.password);
    if (!user) {
      await options.throttle.failed(login, request.ip);
      throw new HttpError(403, 'wrong username or password');
    }
    await options.throttle.succeeded(login, request.ip);
    const { token, expiresAt } = await options.sessions.open(user.id, options.ttlSeconds);
    const secure = options.cookieSecure === 'always' || (options.cookieSecure === 'auto' && request.protocol === 'https');
    reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure, expires: expiresAt });
    const role = user.super_admin ? 'admin' : 'user';
    return {
      code: 200,
      message: 'success',
      token,
      session_id: token,
      user_id: user.id,
      extn: user.extn,
      name: user.name,
      super_admin: user.super_admin,
      currentAuthority: role,
      expires: Math.floor(expiresAt.getTime() / 1000),
      system_roles: { roles_str: role, senior_roles_str: user.super_admin ? 'super_admin' : '' },
    };
  });

  app.delete('/api/sessions', {
    config: { access: 'user' },
    schema: { tags, summary: 'Log out', response: { 200: Message } },
  }, async (request, reply) => {
    if (request.token) await options.sessions.close(request.token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { code: 200, message: 'success' };
  });

  app.get('/api/ping', {
    schema: { tags: ['system'], summary: 'Liveness check (no token needed)', response: { 200: Message } },
  }, async () => ({ code: 200, message: 'pong' }));
}
