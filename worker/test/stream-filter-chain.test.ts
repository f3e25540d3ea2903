// The stream filter chain with a plugin check filter, against clients that answer, fail or throw.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CheckFilterConfig } from '@mosn/config';
import type { CheckRequestResult } from '@mosn/ipc-protocol';
import pino from 'pino';
import { StreamFilterChain } from '../src/filter/stream/stream-filter-chain.js';
import { FAILURE_OPEN_HEADER } from '../src/filter/stream/plugin-check-filter.js';
import type { PluginClient } from '../src/plugin/plugin-client.js';
import type { PluginClients } from '../src/plugin/plugin-clients.js';
import { PluginRequest } from '../src/plugin/plugin-request.js';

const logger = pino({ level: 'silent' });

/** A client that answers each check with `answer()` (which may return a rejection, or throw). */
function clientsAnswering(answer: () => Promise<CheckRequestResult>): { clients: PluginClients; calls: () => number } {
  let calls = 0;
  const client = {
    checkRequest: () => {
      calls++;
      return answer();
    },
  } as unknown as PluginClient;
  return { clients: { get: () => client } as unknown as PluginClients, calls: () => calls };
}

function authFilter(overrides: Partial<CheckFilterConfig['config']> = {}): CheckFilterConfig {
  return { type: 'auth', config: { plugin: 'auth', failure_mode: 'closed', failure_status: 403, cache: undefined, ...overrides } };
}

const request = (token = 'Bearer t'): PluginRequest =>
  PluginRequest.fromFields('GET', '/a', 'h', { count: 1, lnames: ['authorization'], values: [token] }, '127.0.0.1', 'vh', 'c');

test('a plugin that cannot answer: failure_mode closed answers failure_status, open lets the request through marked', async () => {
  const down = (): Promise<CheckRequestResult> => Promise.reject(new Error('plugin "auth" is unavailable'));
  const closed = new StreamFilterChain([authFilter()], clientsAnswering(down).clients, logger);
  assert.deepEqual(await closed.decide(request()), { action: 'respond', status: 403, body: 'auth plugin "auth" unavailable\n', headers: undefined });
  const open = new StreamFilterChain([authFilter({ failure_mode: 'open' })], clientsAnswering(down).clients, logger);
  const decision = await open.decide(request());
  assert.equal(decision.action, 'continue');
  assert.deepEqual(decision.action === 'continue' && decision.headersToAdd, { [FAILURE_OPEN_HEADER]: 'auth' });
});

test('a client that throws instead of rejecting still yields a rejected decision, never a synchronous throw', async () => {
  const chain = new StreamFilterChain([authFilter()], clientsAnswering(() => {
    throw new Error('synchronous failure');
  }).clients, logger);
  let decided: Promise<unknown> | undefined;
  assert.doesNotThrow(() => {
    decided = chain.decide(request());
  });
  await assert.rejects(decided as Promise<unknown>, /synchronous failure/);
});

test('with a decision cache, a repeated credential is decided without asking the plugin again', async () => {
  const { clients, calls } = clientsAnswering(() => Promise.resolve({ action: 'allow', headersToAdd: { 'x-user': 'u' } }));
  const chain = new StreamFilterChain([authFilter({ cache: { header: 'authorization', ttl: 60_000, max_entries: 10 } })], clients, logger);
  const first = await chain.decide(request());
  const second = await chain.decide(request());
  assert.equal(calls(), 1);
  assert.equal(second, first);
  assert.equal(first.action === 'continue' && first.upstream.lines, 'x-user: u\r\n');
  // Another credential is asked for.
  await chain.decide(request('Bearer other'));
  assert.equal(calls(), 2);
});
