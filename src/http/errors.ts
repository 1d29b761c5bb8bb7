import { STATUS_CODES, maxHeaderSize } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { databaseUnavailable, foreignKeyViolation } from '../db/errors.js';

/** An error whose status and message are meant for the client, as CONTRACT.md shapes them. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export const badRequest = (field: string, problem: string) => new HttpError(400, `${field}: ${problem}`);
export const conflict = (field: string, problem: string) => new HttpError(409, `${field}: ${problem}`);
export const notFound = () => new HttpError(404, 'not found', '{}');
export const unauthorized = (why: string) => new HttpError(401, why);

/**
 * The column a unique-constraint violation names (the last one of a composite key), or null for
 * any other error. SQLite: `UNIQUE constraint failed: dicts.realm, dicts.k`; PostgreSQL: code
 * 23505 with `Key (realm, k)=(…) already exists.`
 */
export function uniqueViolation(error: unknown): string | null {
  const { code, message, detail } = (error ?? {}) as { code?: unknown; message?: unknown; detail?: unknown };
  if (code === '23505') {
    const columns = /^Key \(([^)]*)\)=/.exec(String(detail ?? ''))?.[1];
    return columns?.split(',').pop()?.trim().replace(/^"|"$/g, '') || 'id';
  }
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const columns = /constraint failed: (.*)$/.exec(String(message ?? ''))?.[1];
    return columns?.split(',').pop()?.trim().split('.').pop() || 'id';
  }
  return null;
}

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/**
 * The issue that says most about what the client got wrong. A union (say, one object or an array
 * of them) fails in every branch; the branch that got deepest into the input is the one the client
 * meant, and a bare type mismatch says least.
 */
function mostSpecific(issues: AjvIssue[]): AjvIssue | undefined {
  const score = (issue: AjvIssue) => issue.instancePath.split('/').length * 2 + (issue.keyword === 'type' ? 0 : 1);
  return issues
    .filter((issue) => issue.keyword !== 'anyOf' && issue.keyword !== 'oneOf')
    .reduce<AjvIssue | undefined>((best, issue) => (!best || score(issue) > score(best) ? issue : best), undefined)
    ?? issues[0];
}

/** Names the offending field the way a client wrote it: `route.1`, `max_length`, `body`. */
function describeValidation(issues: AjvIssue[], context: string | undefined): string {
  const issue = mostSpecific(issues);
  if (!issue) return `${context ?? 'request'}: is invalid`;
  const path = issue.instancePath.split('/').filter(Boolean).join('.');
  const missing = issue.params.missingProperty;
  if (issue.keyword === 'required' && typeof missing === 'string') {
    return `${path ? `${path}.` : ''}${missing}: is required`;
  }
  const field = path || (context === 'body' ? 'body' : context ?? 'request');
  if (issue.keyword === 'enum' && Array.isArray(issue.params.allowedValues)) {
    return `${field}: must be one of ${issue.params.allowedValues.join(', ')}`;
  }
  return `${field}: ${issue.message ?? 'is invalid'}`;
}

/** A 400 for input that fails its schema, named like Fastify's own validation errors. */
export const invalidInput = (issues: AjvIssue[], context: string) => new HttpError(400, describeValidation(issues, context));

const MIB = 1024 * 1024;

/**
 * What the client did wrong, for the errors that Fastify and its parsers raise, as CONTRACT's
 * `<field>: <problem>`; null when the error is not the client's.
 */
function clientProblem(error: FastifyError, request: FastifyRequest): string | null {
  const status = error.statusCode ?? 500;
  if (status < 400 || status >= 500) return null;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `body: larger than ${request.routeOptions.bodyLimit / MIB} MiB`;
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'body: is not valid JSON';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return `content-type: "${request.headers['content-type'] ?? ''}" is not accepted; send application/json or application/x-www-form-urlencoded`;
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'body: its length differs from content-length';
    case 'FST_ERR_BAD_URL':
      return 'url: has a malformed percent-escape';
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return 'url: a path segment is too long';
    default:
      return error instanceof SyntaxError ? 'body: is not valid JSON' : `request: ${error.message}`;
  }
}

/**
 * Fastify's `frameworkErrors`: a URL the router cannot read (bad percent-escape, overlong
 * segment) is answered before any route or hook runs; in CONTRACT's shape like every other error.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const problem = clientProblem(error, request);
  const status = problem ? error.statusCode! : 500;
  void reply.status(status).send({ code: status, message: problem ?? 'internal error' });
}

/**
 * Fastify's `clientErrorHandler`, for requests Node's HTTP parser refuses before Fastify sees
 * them (headers over the size limit, a malformed request line, a request not sent in time): the
 * answer is written to the socket directly, in CONTRACT's shape.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] = error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
    ? [408, 'request: not received in time']
    : error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, `headers: the request line and headers exceed ${maxHeaderSize / 1024} KiB`]
      : [400, 'request: is not valid HTTP/1.1'];
  const body = JSON.stringify({ code: status, message });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Turns every failure into CONTRACT's `{code, message}`: no stack traces, no 5xx for client mistakes. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    if (error instanceof HttpError) {
      const body: Record<string, unknown> = { code: error.statusCode, message: error.message };
      if (error.data !== undefined) body.data = error.data;
      return reply.status(error.statusCode).send(body);
    }
    const unavailable = databaseUnavailable(error);
    if (unavailable) {
      request.log.warn({ err: error }, 'database unavailable');
      return reply.status(503).header('retry-after', '1').send({ code: 503, message: `${unavailable}; try again` });
    }
    if (foreignKeyViolation(error)) {
      return reply.status(409).send({ code: 409, message: 'id: what this refers to was deleted meanwhile; reload and try again' });
    }
    // A racing request took a unique value between a resource's check and its write.
    const taken = uniqueViolation(error);
    if (taken) return reply.status(409).send({ code: 409, message: `${taken}: already exists` });
    if (error.validation) {
      const message = describeValidation(error.validation as AjvIssue[], error.validationContext);
      return reply.status(400).send({ code: 400, message });
    }
    const problem = clientProblem(error, request);
    if (problem) return reply.status(error.statusCode!).send({ code: error.statusCode, message: problem });
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({ code: 500, message: 'internal error' });
  });

  app.setNotFoundHandler((_request, reply) => reply.status(404).send({ code: 404, message: 'not found', data: '{}' }));
}
