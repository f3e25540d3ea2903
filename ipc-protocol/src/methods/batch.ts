/**
 * `plugin/batch`: the hook calls a worker makes in one event-loop turn, sent as one message and
 * answered as one. Under load a worker has dozens of request checks in flight; one JSON-RPC
 * message each costs a frame, a dispatch turn on both sides and a context switch between the
 * processes, which cost more than the checks themselves (measured with bench/http mosn-auth).
 *
 *   worker: checkRequest(a) ─┐
 *           checkRequest(b) ─┼─ same turn ─► plugin/batch { calls: [a, b, c] } ─► plugin runs the
 *           rateLimit(c)    ─┘                                                    hooks concurrently
 *           a, b, c settle  ◄──────────── { outcomes: [ok a, error b, ok c] } ◄──┘
 *
 * Each call keeps its own outcome: one failing hook does not fail the others.
 */
import { ParameterStructures, RequestType } from 'vscode-jsonrpc/node';
import type { CallParams, CallResult, CheckRequestParams, CheckRequestResult, PluginErrorData } from './plugin.js';
import type { RateLimitParams, RateLimitResult } from './rate-limit.js';
import type { CompactCall } from './compact.js';

/** Most calls in one batch; a worker starts another batch beyond it. */
export const MAX_BATCH_CALLS = 256;

export type BatchCall =
  | { readonly hook: 'checkRequest'; readonly params: CheckRequestParams }
  | { readonly hook: 'rateLimit'; readonly params: RateLimitParams }
  | { readonly hook: 'call'; readonly params: CallParams };

export type BatchHookName = BatchCall['hook'];

/** What each hook answers, by name. */
export interface BatchHookResults {
  checkRequest: CheckRequestResult;
  rateLimit: RateLimitResult;
  call: CallResult;
}

export interface BatchError {
  /** The JSON-RPC error code a single call would have got (e.g. `PLUGIN_RPC_ERROR_CODES.hookNotProvided`). */
  readonly code: number;
  readonly message: string;
  readonly data?: PluginErrorData;
}

export type BatchOutcome = { readonly ok: unknown } | { readonly error: BatchError };

export interface BatchParams {
  /** Map forms, or tuples (`call-tuples/1`) to a plugin that reads them; see compact.ts. */
  readonly calls: readonly (BatchCall | CompactCall)[];
}

export interface BatchResult {
  /** One per call, in the order of `calls`. */
  readonly outcomes: readonly BatchOutcome[];
}

export const PluginBatch = new RequestType<BatchParams, BatchResult, PluginErrorData>('plugin/batch', ParameterStructures.byName);
