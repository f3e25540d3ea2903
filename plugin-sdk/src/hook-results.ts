/**
 * What a hook may return, checked before it goes on the wire: a typo such as `headersToadd`, a
 * status of 42 or a header value with a line break is the author's bug, and is reported to them
 * (as `MOSN_ERR_PLUGIN_HOOK_RESULT_INVALID`) instead of reaching the proxy.
 */
import type { CallResult, CheckRequestResult } from '@mosn/ipc-protocol';
import { z } from 'zod';

// RFC 9110 token for names; values without CR, LF or NUL so that nothing can split a header.
const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'expected an HTTP header name (a token)');
const headerValue = z.string().regex(/^[^\r\n\0]*$/, 'expected a header value without CR, LF or NUL');
const headerMap = z.record(headerName, headerValue);

const checkRequestResult = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('allow'), headersToAdd: headerMap.optional() }),
  z.strictObject({
    action: z.literal('deny'),
    status: z.number().int().min(200).max(599),
    body: z.string().optional(),
    headers: headerMap.optional(),
  }),
]);

const callResult = z.strictObject({
  status: z.number().int(),
  header: headerMap,
  body: z.instanceof(Uint8Array, { message: 'expected a Uint8Array (e.g. a Buffer)' }),
});

export type ResultCheck<T> = (value: unknown) => { ok: true; value: T } | { ok: false; problem: string };

function checker<T>(schema: z.ZodType<T>): ResultCheck<T> {
  return (value) => {
    const parsed = schema.safeParse(value);
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false, problem: z.prettifyError(parsed.error) };
  };
}

export const checkCheckRequestResult: ResultCheck<CheckRequestResult> = checker(checkRequestResult as z.ZodType<CheckRequestResult>);
export const checkCallResult: ResultCheck<CallResult> = checker(callResult as z.ZodType<CallResult>);
