/**
 * HTTP plumbing of the fake Bot API: request parameters from JSON, form or multipart bodies
 * (plus the query string, as Telegram accepts GET too), JSON answers and error envelopes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { multipartBoundary, parseMultipart, readBody } from './multipart.ts';
import { ApiError, type Params, type UploadedFile } from './telegram-methods.ts';

/** A fault to inject: a flood wait, a server error or any Bot API error. */
export interface Fault {
  /** error_code and HTTP status, e.g. 429, 502, 400, 403. */
  readonly code: number;
  /** Seconds in parameters.retry_after (429 only; default 1). */
  readonly retryAfter?: number;
  /** Telegram's description; a typical one is used when omitted. */
  readonly description?: string;
}

/**
 * An outage of Telegram's front (or of a reverse proxy before a self-hosted Bot API): every call
 * answered with a 5xx. `json` is the Bot API's own envelope, e.g. `{"ok":false,"error_code":502,
 * "description":"Bad Gateway"}` (reported in tdlib/telegram-bot-api#868); `html` is nginx's error
 * page, as bots saw from api.telegram.org in past outages (nickoala/telepot#31).
 */
export interface Outage {
  readonly status: 500 | 502 | 503 | 504;
  readonly body: 'json' | 'html';
}

const OUTAGE_REASON: Record<Outage['status'], string> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Answers one call as the outage would. */
export function sendOutage(res: ServerResponse, o: Outage): Record<string, unknown> {
  const reason = OUTAGE_REASON[o.status];
  if (o.body === 'json') {
    const body = { ok: false, error_code: o.status, description: reason };
    sendJson(res, o.status, body);
    return body;
  }
  const page = `<html>\r\n<head><title>${o.status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${o.status} ${reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
  if (!res.writableEnded && !res.destroyed) {
    res.writeHead(o.status, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(page) });
    res.end(page);
  }
  return { html: page };
}

/** Writes a JSON answer unless the client already went away. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

/** The Bot API error envelope. */
export function errorBody(e: ApiError): Record<string, unknown> {
  return {
    ok: false,
    error_code: e.code,
    description: e.description,
    ...(e.retryAfter !== undefined ? { parameters: { retry_after: e.retryAfter } } : {}),
  };
}

/** The error an injected fault produces, with Telegram's usual wording by default. */
export function faultError(f: Fault): ApiError {
  if (f.code === 429) {
    const s = f.retryAfter ?? 1;
    return new ApiError(429, f.description ?? `Too Many Requests: retry after ${s}`, s);
  }
  const defaults: Record<number, string> = {
    400: 'Bad Request',
    403: 'Forbidden: bot was blocked by the user',
    500: 'Internal Server Error',
    502: 'Bad Gateway',
  };
  return new ApiError(f.code, f.description ?? defaults[f.code] ?? 'Error');
}

/** Reads a request's parameters and uploaded files. Throws on a malformed body. */
export async function parseParams(req: IncomingMessage, url: URL): Promise<{ params: Params; files: Map<string, UploadedFile> }> {
  const params: Params = Object.fromEntries(url.searchParams);
  const files = new Map<string, UploadedFile>();
  const body = await readBody(req);
  const type = req.headers['content-type'] ?? '';
  const boundary = multipartBoundary(type);
  if (boundary) {
    for (const part of parseMultipart(body, boundary)) {
      if (part.filename !== undefined) {
        files.set(part.name, { filename: part.filename, bytes: part.data, ...(part.contentType ? { contentType: part.contentType } : {}) });
      } else params[part.name] = part.data.toString('utf8');
    }
  } else if (/application\/json/i.test(type) && body.length > 0) {
    Object.assign(params, JSON.parse(body.toString('utf8')) as Params);
  } else if (/x-www-form-urlencoded/i.test(type)) {
    Object.assign(params, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
  }
  return { params, files };
}
