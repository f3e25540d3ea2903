// PluginRuntime.invoke, the batch path: synchronous hooks answered synchronously, every failure
// typed, and the in-flight count (which shutdown waits on) back to 0 whatever happened.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { PLUGIN_SDK_ERROR_CODES } from '../src/index.js';
import { PluginRuntime } from '../src/plugin-runtime.js';
import type { AnyPluginDefinition } from '../src/definition.js';

const request = { method: 'GET', path: '/', authority: 'a', headers: {}, remoteAddress: '127.0.0.1' };

async function runtimeWith(checkRequest: (req: { path: string }) => unknown): Promise<PluginRuntime> {
  const definition = { name: 't', version: '1', hooks: { checkRequest } } as unknown as AnyPluginDefinition;
  const host = { setLogLevel: async () => ({ level: 'info' }) } as never;
  return PluginRuntime.start(definition, undefined, { logger: pino({ level: 'silent' }), name: 't', host });
}

test('a hook that returns a value is answered synchronously, one that returns a promise with a promise', async () => {
  const runtime = await runtimeWith((req) => (req.path === '/async' ? Promise.resolve({ action: 'allow' }) : { action: 'allow' }));
  assert.deepEqual(runtime.invoke('checkRequest', request), { action: 'allow' });
  assert.equal(runtime.inFlight, 0);
  const pending = runtime.invoke('checkRequest', { ...request, path: '/async' });
  assert.ok(pending instanceof Promise);
  assert.equal(runtime.inFlight, 1, 'counted until it settles');
  assert.deepEqual(await pending, { action: 'allow' });
  assert.equal(runtime.inFlight, 0);
});

test('a synchronous throw, an invalid result and a throwing `then` getter are typed failures that leave nothing in flight', async () => {
  const runtime = await runtimeWith((req) => {
    if (req.path === '/throw') throw new Error('boom');
    if (req.path === '/invalid') return { action: 'allow', headersToadd: {} };
    if (req.path === '/then') {
      return {
        get then() {
          throw new Error('then getter');
        },
      };
    }
    return Promise.reject(new Error('async boom'));
  });
  assert.throws(() => runtime.invoke('checkRequest', { ...request, path: '/throw' }), { code: PLUGIN_SDK_ERROR_CODES.hookFailed, message: /boom/ });
  assert.throws(() => runtime.invoke('checkRequest', { ...request, path: '/invalid' }), { code: PLUGIN_SDK_ERROR_CODES.hookResultInvalid });
  assert.throws(() => runtime.invoke('checkRequest', { ...request, path: '/then' }), { code: PLUGIN_SDK_ERROR_CODES.hookFailed, message: /then getter/ });
  await assert.rejects(runtime.invoke('checkRequest', { ...request, path: '/reject' }) as Promise<unknown>, { code: PLUGIN_SDK_ERROR_CODES.hookFailed, message: /async boom/ });
  assert.equal(runtime.inFlight, 0);
  // The public methods still answer with promises, a synchronous throw as a rejection.
  await assert.rejects(runtime.checkRequest({ ...request, path: '/throw' }), { code: PLUGIN_SDK_ERROR_CODES.hookFailed });
  await runtime.shutdown();
  assert.throws(() => runtime.invoke('checkRequest', request), { code: PLUGIN_SDK_ERROR_CODES.shuttingDown });
});
