// The request the stream filters and their plugins see, built from the parsed header fields.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compactCall } from '@mosn/ipc-protocol';
import { PluginRequest } from '../src/plugin/plugin-request.js';

const fields = (pairs: [string, string][]) => ({ count: pairs.length, lnames: pairs.map((p) => p[0]), values: pairs.map((p) => p[1]) });

test('repeated fields are joined with ", " at the first one\'s place, in arrival order', () => {
  const request = PluginRequest.fromFields('GET', '/p', 'h', fields([['a', '1'], ['b', '2'], ['a', '3'], ['c', '4'], ['a', '5']]), '10.0.0.1');
  assert.deepEqual(request.headerPairs, ['a', '1, 3, 5', 'b', '2', 'c', '4']);
  assert.equal(request.header('a'), '1, 3, 5');
  assert.equal(request.header('c'), '4');
  assert.equal(request.header('missing'), undefined);
});

test('only the current fields count: a reused field list longer than count contributes nothing', () => {
  const reused = { count: 1, lnames: ['a', 'stale'], values: ['1', 'old'] };
  assert.deepEqual(PluginRequest.fromFields('GET', '/', '', reused, '').headerPairs, ['a', '1']);
});

test('the map form is what plugins have always received, and the tuple is its compact form', () => {
  const request = PluginRequest.fromFields('POST', '/x?y=1', 'example.com', fields([['host', 'example.com'], ['x-k', 'v']]), '127.0.0.1', 'vh', 'cl');
  const params = request.toParams();
  assert.deepEqual(params, { method: 'POST', path: '/x?y=1', authority: 'example.com', headers: { host: 'example.com', 'x-k': 'v' }, remoteAddress: '127.0.0.1', route: { virtualHost: 'vh', cluster: 'cl' } });
  assert.deepEqual(request.toTuple(), compactCall({ hook: 'checkRequest', params }));
  const noRoute = PluginRequest.fromFields('GET', '/', '', fields([]), '').toParams();
  assert.equal(Object.hasOwn(noRoute, 'route'), false);
  assert.deepEqual(PluginRequest.fromFields('GET', '/', '', fields([]), '', 'vh').toParams().route, { virtualHost: 'vh' });
});

test('a field named __proto__ is left out of both forms, as the header object never could hold it', () => {
  const request = PluginRequest.fromFields('GET', '/', '', fields([['__proto__', 'x'], ['a', '1'], ['constructor', 'c']]), '');
  assert.deepEqual(request.headerPairs, ['a', '1', 'constructor', 'c']);
  assert.equal(request.header('__proto__'), undefined);
  assert.deepEqual(request.toParams().headers, { a: '1', constructor: 'c' });
  assert.equal(Object.hasOwn(request.toParams().headers, '__proto__'), false);
  assert.equal(Object.getPrototypeOf(request.toParams().headers), Object.prototype);
});

test('fromParams keeps the map form as it was', () => {
  const params = { method: 'GET', path: '/', authority: 'a', headers: { b: '2', a: '1' }, remoteAddress: 'r', route: { virtualHost: 'vh' } };
  assert.deepEqual(PluginRequest.fromParams(params).toParams(), params);
});
