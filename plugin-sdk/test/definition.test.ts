import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDefinition, validateConfig } from '../src/definition.js';
import type { AnyPluginDefinition } from '../src/definition.js';
import { PLUGIN_SDK_ERROR_CODES, PluginConfigError, duration, z } from '../src/index.js';

const allow = () => ({ action: 'allow' as const });

test('a definition lists the hooks it provides', () => {
  assert.deepEqual(checkDefinition({ name: 'a', version: '1.0.0', hooks: { checkRequest: allow } }), ['checkRequest']);
  assert.deepEqual(checkDefinition({ name: 'a', version: '1.0.0', hooks: { call: allow, checkRequest: allow } }), ['call', 'checkRequest']);
});

test('a broken definition is refused with what was expected and what was found', () => {
  const cases: [unknown, RegExp][] = [
    [null, /expected an object, found object/],
    [{ version: '1', hooks: { checkRequest: allow } }, /expected "name" to be a non-empty string, found nothing/],
    [{ name: 'a', version: '1 0', hooks: { checkRequest: allow } }, /invalid plugin definition "a": expected "version" .* found "1 0"/],
    [{ name: 'a', version: '1', hooks: {} }, /expected at least one hook \(checkRequest, call, rateLimit, logRecords, logLines, logBytes, reopenLogs, metrics\), found none/],
    [{ name: 'a', version: '1', hooks: { onRequest: allow } }, /unknown hook "onRequest"; expected one of checkRequest, call/],
    [{ name: 'a', version: '1', hooks: { call: 'x' } }, /expected hook "call" to be a function, found "x"/],
    [{ name: 'a', version: '1', hooks: { call: allow }, config: { type: 'object' } }, /expected "config" to be a zod schema/],
    [{ name: 'a', version: '1', hooks: { call: allow }, shutdownTimeoutMs: -1 }, /expected "shutdownTimeoutMs" to be a positive number/],
    [{ name: 'a', version: '1', hooks: { call: allow }, hook: {} }, /unknown key "hook"/],
  ];
  for (const [definition, message] of cases) {
    assert.throws(() => checkDefinition(definition), { code: PLUGIN_SDK_ERROR_CODES.definitionInvalid, message });
  }
});

test('without a schema any config is accepted as is', async () => {
  const definition = { name: 'a', version: '1', hooks: { call: allow } } as unknown as AnyPluginDefinition;
  assert.deepEqual(await validateConfig(definition, { anything: [1] }, 'a'), { anything: [1] });
  assert.equal(await validateConfig(definition, undefined, 'a'), undefined);
});

test('async refinements run, and every issue is listed with its path', async () => {
  const schema = z.object({
    file: z.string().refine(async (path) => path.startsWith('/'), 'expected an absolute path'),
    ttl: duration(),
    items: z.array(z.number()),
  });
  const definition = { name: 'a', version: '1', config: schema, hooks: { call: allow } } as unknown as AnyPluginDefinition;
  await assert.rejects(validateConfig(definition, { file: 'rel', ttl: 'soon', items: [1, 'x'] }, 'my-a'), (error: unknown) => {
    assert.ok(error instanceof PluginConfigError);
    assert.match(error.message, /^invalid config for plugin my-a:\n/);
    // Async refinements settle after the synchronous checks: compare without order.
    assert.deepEqual(error.issues.map((issue) => issue.path.join('.')).sort(), ['file', 'items.1', 'ttl']);
    assert.match(error.message, /expected a duration such as "250ms", "30s" or "1m30s", found "soon"/);
    return true;
  });
  assert.deepEqual(await validateConfig(definition, { file: '/k', ttl: '1m30s', items: [] }, 'a'), { file: '/k', ttl: 90_000, items: [] });
});
