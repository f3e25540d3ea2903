// Writing answers and reading bodies for the admin endpoints. Errors are JSON with a stable code:
// {"error": "<message>", "code": "MOSN_ERR_ADMIN_…"} (MOSN's {"error": …} shape, plus the code).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MANAGEMENT_ERROR_CODES, ManagementError } from '../errors.js';
import type { ManagementErrorCode } from '../errors.js';

export const MAX_BODY_BYTES = 64 * 1024;

export const CONTENT_TYPES = Object.freeze({
  json: 'application/json; charset=utf-8',
  text: 'text/plain; charset=utf-8',
  prometheus: 'text/plain; version=0.0.4; charset=utf-8',
});

export function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  const data = Buffer.from(body, 'utf8');
  res.writeHead(status, { 'content-type': contentType, 'content-length': String(data.length), 'cache-control': 'no-store', ...headers });
  res.end(data);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(res, status, CONTENT_TYPES.json, `${JSON.stringify(value, null, 2)}\n`, headers);
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  send(res, status, CONTENT_TYPES.text, text, headers);
}

export function sendError(
  res: ServerResponse,
  status: number,
  code: ManagementErrorCode,
  message: string,
  extra: { headers?: Record<string, string>; fields?: Record<string, unknown> } = {},
): void {
  sendJson(res, status, { error: message, code, ...extra.fields }, extra.headers);
}

/** The HTTP status an endpoint answers a thrown ManagementError with. */
export const STATUS_OF: Readonly<Record<ManagementErrorCode, number>> = {
  [MANAGEMENT_ERROR_CODES.listenFailed]: 500,
  [MANAGEMENT_ERROR_CODES.notFound]: 404,
  [MANAGEMENT_ERROR_CODES.methodNotAllowed]: 405,
  [MANAGEMENT_ERROR_CODES.unauthorized]: 401,
  [MANAGEMENT_ERROR_CODES.badRequest]: 400,
  [MANAGEMENT_ERROR_CODES.bodyTooLarge]: 413,
  [MANAGEMENT_ERROR_CODES.unknownKey]: 404,
  [MANAGEMENT_ERROR_CODES.noHostState]: 503,
  [MANAGEMENT_ERROR_CODES.hostUnavailable]: 503,
  [MANAGEMENT_ERROR_CODES.hostFailed]: 502,
  [MANAGEMENT_ERROR_CODES.internal]: 500,
  [MANAGEMENT_ERROR_CODES.reportInvalid]: 500,
};

/**
 * The request body as text, at most MAX_BODY_BYTES (else MOSN_ERR_ADMIN_BODY_TOO_LARGE; the rest
 * is read and dropped, not left in the socket, so that the 413 still reaches the client).
 */
export function readBody(req: IncomingMessage): Promise<string> {
  const tooLarge = (found: string) =>
    new ManagementError(MANAGEMENT_ERROR_CODES.bodyTooLarge, `expected a body of at most ${MAX_BODY_BYTES} bytes, found ${found}`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
    req.resume();
    return Promise.reject(tooLarge(`Content-Length ${declared}`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.resume();
      reject(tooLarge('more'));
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}
