import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from './context.ts';
import { ECOM_CONTENT_TYPE, ecomErrorBody, ecomErrorHandler } from './ecom/errors.ts';
import { ApiError, buildProblem, defaultTitle, instanceOfPath, sendErrorAsProblem, sendGatewayError, type ProblemInput } from './problem.ts';

/**
 * The sandbox's edges, as the API gateway has them: answers that come before any route runs
 * (unknown path, wrong method, a path parameter too long, a malformed URL or header block) in the
 * error shape of the API the path belongs to — the route prefix decides: the eCom error array
 * under `/ecomm/`, RFC 7807 problem details under every other Vipps API prefix. Paths under no
 * API get Azure's own `{statusCode, message}`. The control API answers loopback clients only,
 * unless the sandbox was started with an explicit host (`controlAllowRemote`).
 */

export type EdgeStyle = 'ecom' | 'problem' | 'gateway';

const PROBLEM_PREFIXES = ['/epayment/', '/webhooks/', '/accesstoken/', '/order-management/', '/vipps-userinfo-api/', '/qr/', '/recurring/', '/_sandbox/'];

/** Which error shape a path's API answers in (case-insensitive, as the gateway matches paths). */
export function styleOf(url: string): EdgeStyle {
  const path = url.split('?')[0].toLowerCase();
  if (path.startsWith('/ecomm/')) return 'ecom';
  return PROBLEM_PREFIXES.some((p) => path.startsWith(p)) ? 'problem' : 'gateway';
}

/** An edge error as status, content type and body text, for a path (also when there is no Fastify request). */
export function edgeAnswer(url: string, p: ProblemInput): { status: number; contentType: string; body: string } {
  const style = styleOf(url);
  if (style === 'ecom') {
    const { status, body } = ecomErrorBody(new ApiError(p));
    return { status, contentType: ECOM_CONTENT_TYPE, body: JSON.stringify(body) };
  }
  if (style === 'problem') return { status: p.status, contentType: 'application/problem+json', body: JSON.stringify(buildProblem(p, instanceOfPath(url))) };
  return { status: p.status, contentType: 'application/json', body: JSON.stringify({ statusCode: p.status, message: p.detail ?? p.title }) };
}

export function sendEdgeError(request: FastifyRequest, reply: FastifyReply, p: ProblemInput): FastifyReply {
  const answer = edgeAnswer(request.url, p);
  return reply.code(answer.status).type(answer.contentType).send(answer.body);
}

/**
 * The root error handler, for errors outside every API plugin's own (a body sent to an unknown
 * route or with the wrong method fails parsing before the 404/405): the path's API shape.
 */
export function rootErrorHandler(error: Error & { statusCode?: number }, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return styleOf(request.url) === 'ecom' ? ecomErrorHandler(error, request, reply) : sendErrorAsProblem(error, request, reply);
}

/** Fastify's `frameworkErrors`: a malformed URL, a path parameter over `maxParamLength`. */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  sendEdgeError(request, reply, {
    status: 400,
    title: 'Bad Request',
    detail: tooLong ? 'One or more validation errors occurred.' : 'The request URL is not valid.',
    extraDetails: [{ name: 'path', reason: tooLong ? 'A path parameter is longer than 100 characters.' : 'The URL could not be decoded.' }],
  });
}

/**
 * Node's `clientError` (a header block over the size limit: 431; a request that timed out: 408;
 * anything unparsable: 400), answered in the shape of the API the request line names.
 */
export function clientErrorHandler(error: Error, socket: Socket): void {
  const err = error as Error & { code?: string; rawPacket?: Buffer };
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const requestLine = (Buffer.isBuffer(err.rawPacket) ? err.rawPacket : undefined)?.toString('latin1', 0, 8192).split('\r\n')[0] ?? '';
  const url = /^[A-Z]+ (\/\S*) HTTP\/1\.[01]$/.exec(requestLine)?.[1] ?? '/';
  const detail = status === 431 ? 'The request headers are too large.' : status === 408 ? 'The request timed out.' : 'The request could not be parsed.';
  const answer = edgeAnswer(url, { status, title: STATUS_CODES[status] ?? 'Bad Request', detail });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${answer.contentType}\r\nContent-Length: ${Buffer.byteLength(answer.body)}\r\nConnection: close\r\n\r\n${answer.body}`,
    );
  }
  socket.destroy(err);
}

/** APIs whose request bodies are JSON; the token endpoint takes any content type, the landing page forms. */
const takesAnyBody = new Set(['access-token', 'landing', 'qr']);

function notJson(contentType: string | undefined): ApiError {
  const sent = contentType ? `Content-Type ${contentType.split(';')[0].trim()}` : 'no Content-Type';
  return new ApiError({
    status: 400,
    title: 'Bad Request',
    detail: `The request body must be JSON sent with Content-Type: application/json (got ${sent}).`,
    extraDetails: [{ name: 'Content-Type', reason: `Send the body as application/json; the request had ${sent}.` }],
  });
}

/**
 * Content parsing as the real API tolerates it: an empty body with `Content-Type:
 * application/json` is allowed (the token endpoint gets exactly that); JSON errors become
 * the API's 400 rather than Fastify's own shape; a body under another content type (or none,
 * as plain `curl -d` sends) is refused by the JSON APIs with an error naming the content type.
 */
export function installParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(/^application\/([\w.+-]*\+)?json/i, { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.length === 0) return done(null, undefined);
    try {
      const parsed = JSON.parse(text);
      // The traffic log keeps the body as the text it travelled as (decoded when read).
      request.exchangeBodyText = text;
      done(null, parsed);
    } catch {
      done(new ApiError({ status: 400, title: 'Bad Request', detail: 'The request body is not valid JSON.', extraDetails: [{ name: 'body', reason: 'The JSON value could not be parsed.' }] }), undefined);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (!text) return done(null, undefined);
    // Recorded as sent, also when refused: the traffic log loses nothing of bad input.
    request.exchangeBodyText = text;
    const api = request.routeOptions.config.api;
    if (api !== undefined && !takesAnyBody.has(api)) return done(notJson(request.headers['content-type']), undefined);
    done(null, text);
  });
}

const isLoopback = (address: string | undefined) => !!address && (address === '::1' || /^(::ffff:)?127\./.test(address));

/** Unknown routes (404, or 405 with `Allow` where another method has the path), control-API client check. */
export function installEdges(app: FastifyInstance, ctx: SandboxContext): void {
  const routes: { method: string; pattern: RegExp }[] = [];
  app.addHook('onRoute', (route) => {
    const pattern = new RegExp(
      `^${route.url
        .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/:[A-Za-z0-9_]+/g, '[^/]+')}/?$`,
      'i',
    );
    for (const method of [route.method].flat()) routes.push({ method, pattern });
  });

  app.addHook('onRequest', (request, reply, done) => {
    if (ctx.settings.controlAllowRemote || !request.url.toLowerCase().startsWith('/_sandbox/') || isLoopback(request.socket.remoteAddress)) return done();
    reply.code(403).type('application/json').send({
      error: 'forbidden',
      details: 'The sandbox control API answers loopback clients only; start the sandbox with an explicit --host to allow others.',
    });
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const allowed = [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      const detail = `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}.`;
      return sendEdgeError(request, reply, { status: 405, title: defaultTitle(405), detail, extraDetails: [{ name: 'method', reason: detail }] });
    }
    if (styleOf(path) === 'gateway') return sendGatewayError(reply, 404, 'Resource not found');
    const detail = `No resource at ${request.method} ${path}.`;
    return sendEdgeError(request, reply, { status: 404, title: defaultTitle(404), detail, extraDetails: [{ name: 'path', reason: detail }] });
  });
}
