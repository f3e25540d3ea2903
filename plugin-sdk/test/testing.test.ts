import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PLUGIN_SDK_ERROR_CODES, PluginConfigError, z } from '../src/index.js';
import type { PluginDefinition } from '../src/index.js';
import { createTestPlugin } from '../src/testing.js';

const config = z.object({ header: z.string(), status: z.number().int().default(401) });

const definition: PluginDefinition<typeof config, { seen: string[] }> = {
  name: 'recorder',
  version: '1.2.3',
  config,
  setup: () => ({ seen: [] }),
  hooks: {
    checkRequest(request, { config, state, logger }) {
      state.seen.push(`${request.method} ${request.authority}${request.path} from ${request.remoteAddress}`);
      logger.debug({ path: request.path }, 'checked');
      const value = request.headers[config.header];
      return value === undefined ? { action: 'deny', status: config.status } : { action: 'allow', headersToAdd: { 'x-seen': value } };
    },
  },
};

test('createTestPlugin validates the config like serve and exposes config and state', async (t) => {
  const plugin = await createTestPlugin(definition, { config: { header: 'x-team' } });
  t.after(() => plugin.close());
  assert.deepEqual(plugin.config, { header: 'x-team', status: 401 });
  assert.deepEqual(plugin.state, { seen: [] });
  assert.deepEqual(plugin.hooks, ['checkRequest']);
});

test('checkRequest fills omitted fields with defaults and lower-cases header names as the worker does', async (t) => {
  const plugin = await createTestPlugin(definition, { config: { header: 'x-team' } });
  t.after(() => plugin.close());
  assert.deepEqual(await plugin.checkRequest(), { action: 'deny', status: 401 });
  assert.deepEqual(await plugin.checkRequest({ path: '/a', headers: { 'X-Team': ['red', 'blue'] } }), {
    action: 'allow',
    headersToAdd: { 'x-seen': 'red, blue' },
  });
  assert.deepEqual(plugin.state.seen, ['GET localhost/ from 127.0.0.1', 'GET localhost/a from 127.0.0.1']);
  assert.ok(plugin.logs.some((r) => r['msg'] === 'checked' && r['path'] === '/a'), 'logs are captured');
});

test('an invalid config rejects with the same error serve answers with', async () => {
  await assert.rejects(createTestPlugin(definition, { config: { header: 1 } }), (error: unknown) => {
    assert.ok(error instanceof PluginConfigError);
    assert.equal(error.code, PLUGIN_SDK_ERROR_CODES.configInvalid);
    assert.match(error.message, /invalid config for plugin recorder:\n✖ Invalid input: expected string, received number\n {2}→ at header/);
    assert.deepEqual(error.issues, [{ path: ['header'], message: 'Invalid input: expected string, received number' }]);
    return true;
  });
});

test('a hook that throws rejects with MOSN_ERR_PLUGIN_HOOK_FAILED and the original error as cause', async (t) => {
  const boom = new Error('backend down');
  const plugin = await createTestPlugin({
    name: 'thrower',
    version: '1.0.0',
    hooks: {
      checkRequest: () => {
        throw boom;
      },
    },
  });
  t.after(() => plugin.close());
  await assert.rejects(plugin.checkRequest(), { code: PLUGIN_SDK_ERROR_CODES.hookFailed, cause: boom, message: 'plugin thrower: checkRequest hook failed: backend down' });
});

test('a hook not provided rejects with a clear error naming the hooks that are', async (t) => {
  const plugin = await createTestPlugin(definition, { config: { header: 'x' } });
  t.after(() => plugin.close());
  await assert.rejects(plugin.call(), {
    code: PLUGIN_SDK_ERROR_CODES.hookNotProvided,
    message: 'plugin recorder does not provide the call hook; it provides: checkRequest',
  });
});

test('a hook result that is not valid for the wire is reported to the author', async (t) => {
  const plugin = await createTestPlugin({
    name: 'sloppy',
    version: '1.0.0',
    hooks: {
      // Typed code cannot return these; plain JavaScript plugins can.
      checkRequest: (request) =>
        (request.path === '/typo'
          ? { action: 'allow', headersToadd: {} }
          : request.path === '/status'
            ? { action: 'deny', status: 42 }
            : { action: 'allow', headersToAdd: { 'x-evil': 'a\r\nset-cookie: b' } }) as never,
    },
  });
  t.after(() => plugin.close());
  await assert.rejects(plugin.checkRequest({ path: '/typo' }), { code: PLUGIN_SDK_ERROR_CODES.hookResultInvalid, message: /headersToadd/ });
  await assert.rejects(plugin.checkRequest({ path: '/status' }), { code: PLUGIN_SDK_ERROR_CODES.hookResultInvalid, message: /status/ });
  await assert.rejects(plugin.checkRequest({ path: '/inject' }), { code: PLUGIN_SDK_ERROR_CODES.hookResultInvalid, message: /without CR, LF or NUL/ });
});

test('call accepts a string body as UTF-8 and returns the hook result', async (t) => {
  const plugin = await createTestPlugin({
    name: 'echo',
    version: '1.0.0',
    hooks: { call: (request) => ({ status: 200, header: { 'content-type': 'text/plain', ...request.header }, body: request.body }) },
  });
  t.after(() => plugin.close());
  const result = await plugin.call({ header: { op: 'echo' }, body: 'héllo' });
  assert.equal(result.status, 200);
  assert.deepEqual(result.header, { 'content-type': 'text/plain', op: 'echo' });
  assert.equal(Buffer.from(result.body).toString('utf8'), 'héllo');
  assert.equal((await plugin.call()).body.length, 0);
});

test('close waits for calls in flight, runs shutdown once, and later calls are refused', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const events: string[] = [];
  const plugin = await createTestPlugin({
    name: 'closing',
    version: '1.0.0',
    hooks: {
      async checkRequest() {
        events.push('call started');
        await gate;
        events.push('call finished');
        return { action: 'allow' };
      },
    },
    shutdown: () => void events.push('shutdown'),
  });
  const inFlight = plugin.checkRequest();
  const closed = plugin.close();
  await assert.rejects(plugin.checkRequest(), { code: PLUGIN_SDK_ERROR_CODES.shuttingDown });
  release();
  await closed;
  await plugin.close();
  assert.deepEqual(await inFlight, { action: 'allow' });
  assert.deepEqual(events, ['call started', 'call finished', 'shutdown']);
});

test('a setup that throws rejects with MOSN_ERR_PLUGIN_SETUP_FAILED', async () => {
  await assert.rejects(
    createTestPlugin({
      name: 'broken',
      version: '1.0.0',
      setup: () => {
        throw new Error('cannot reach redis');
      },
      hooks: { checkRequest: () => ({ action: 'allow' }) },
    }),
    { code: PLUGIN_SDK_ERROR_CODES.setupFailed, message: 'plugin broken: setup failed: cannot reach redis' },
  );
});
