import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RouteMatchConfig } from '@mosn/config';
import { compilePathRewrite, identityRewrite } from '../src/router/path-rewrite.js';

const match = (m: Partial<RouteMatchConfig>): RouteMatchConfig => ({
  prefix: undefined,
  path: undefined,
  regex: undefined,
  headers: [],
  ...m,
});

test('prefix_rewrite swaps the matched prefix and keeps the query string', () => {
  const rewrite = compilePathRewrite(match({ prefix: '/api/' }), '/');
  assert.equal(rewrite('/api/users?x=1'), '/users?x=1');
  assert.equal(rewrite('/api/'), '/');
});

test('prefix_rewrite can add to the path', () => {
  const rewrite = compilePathRewrite(match({ prefix: '/v1' }), '/service/v2');
  assert.equal(rewrite('/v1/items?id=3'), '/service/v2/items?id=3');
});

test('prefix_rewrite keeps a doubled slash as Envoy does when the prefix lacks the trailing one', () => {
  assert.equal(compilePathRewrite(match({ prefix: '/api' }), '/')('/api/users'), '//users');
});

test('prefix_rewrite on a path match replaces the whole path and keeps the query string', () => {
  const rewrite = compilePathRewrite(match({ path: '/old' }), '/new');
  assert.equal(rewrite('/old'), '/new');
  assert.equal(rewrite('/old?a=1&b=2'), '/new?a=1&b=2');
});

test('no prefix_rewrite is the shared identity', () => {
  assert.equal(compilePathRewrite(match({ prefix: '/' }), undefined), identityRewrite);
  assert.equal(identityRewrite('/a?b'), '/a?b');
});

test('a path the prefix does not cover is left alone', () => {
  assert.equal(compilePathRewrite(match({ prefix: '/api/' }), '/')('/other'), '/other');
});

test('prefix_rewrite with a regex match is a config error', () => {
  assert.throws(() => compilePathRewrite(match({ regex: '/a.*' }), '/'), { code: 'MOSN_ERR_WORKER_CONFIG' });
});
