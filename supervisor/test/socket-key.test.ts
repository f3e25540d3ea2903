import assert from 'node:assert/strict';
import { test } from 'node:test';
import { socketKey } from '../src/listener/listener-sockets.js';

test('listeners on the same address share a socket key; port-0 listeners are told apart by name', () => {
  assert.equal(socketKey({ host: '127.0.0.1', port: 8080, name: 'a' }), socketKey({ host: '127.0.0.1', port: 8080, name: 'renamed' }));
  assert.notEqual(socketKey({ host: '127.0.0.1', port: 0, name: 'a' }), socketKey({ host: '127.0.0.1', port: 0, name: 'b' }));
  assert.equal(socketKey({ host: '127.0.0.1', port: 0, name: 'a' }), socketKey({ host: '127.0.0.1', port: 0, name: 'a' }));
});
