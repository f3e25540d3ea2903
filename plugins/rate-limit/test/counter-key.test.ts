import assert from 'node:assert/strict';
import { test } from 'node:test';
import { descriptorKey } from '../src/counter-key.js';

const key = (domain: string, ...pairs: [string, string][]) => descriptorKey(domain, pairs.map(([k, value]) => ({ key: k, value })));

test('counter keys are readable and never shared by two different descriptors', () => {
  assert.equal(key('edge', ['remote_address', '10.0.0.7'], ['path', '/a']), 'edge|remote_address=10.0.0.7|path=/a');
  assert.notEqual(key('edge', ['a|b', 'c']), key('edge', ['a', 'b|c']));
  assert.notEqual(key('edge', ['a=b', 'c']), key('edge', ['a', 'b=c']));
  assert.notEqual(key('e|a', ['b', 'c']), key('e', ['a', 'b'], ['c', '']));
  assert.notEqual(key('edge', ['a', '%7C']), key('edge', ['a', '|']));
  assert.equal(key('edge', ['p', '/x|y=z%']), 'edge|p=/x%7Cy%3Dz%25');
});
