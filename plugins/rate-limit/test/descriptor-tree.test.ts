import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DescriptorTree } from '../src/descriptor-tree.js';

const tree = DescriptorTree.compile([
  {
    domain: 'edge',
    descriptors: [
      { key: 'k', rate_limit: { unit: 'second', requests_per_unit: 1 } },
      {
        key: 'k',
        value: 'v',
        rate_limit: { unit: 'minute', requests_per_unit: 2 },
        descriptors: [
          { key: 'n', rate_limit: { unit: 'hour', requests_per_unit: 3 } },
          { key: 'n', value: 'w', rate_limit: { unit: 'day', requests_per_unit: 4, name: 'deep' } },
        ],
      },
    ],
  },
  { domain: 'empty', descriptors: [] },
]);

const match = (domain: string, ...pairs: [string, string][]) => tree.match(domain, pairs.map(([key, value]) => ({ key, value })))?.wire;

test('an exact value wins over the wildcard at every level', () => {
  assert.deepEqual(match('edge', ['k', 'v']), { requestsPerUnit: 2, unit: 'minute' });
  assert.deepEqual(match('edge', ['k', 'other']), { requestsPerUnit: 1, unit: 'second' });
  assert.deepEqual(match('edge', ['k', 'v'], ['n', 'w']), { requestsPerUnit: 4, unit: 'day', name: 'deep' });
  assert.deepEqual(match('edge', ['k', 'v'], ['n', 'x']), { requestsPerUnit: 3, unit: 'hour' });
});

test('no match, a descriptor longer than the tree, an unknown domain or no entries: no limit', () => {
  assert.equal(match('edge', ['other', 'v']), undefined);
  assert.equal(match('edge', ['k', 'other'], ['n', 'w']), undefined, 'the wildcard k has no children');
  assert.equal(match('edge', ['k', 'v'], ['n', 'w'], ['z', '1']), undefined);
  assert.equal(match('nowhere', ['k', 'v']), undefined);
  assert.equal(match('empty', ['k', 'v']), undefined);
  assert.equal(match('edge'), undefined);
  assert.deepEqual(tree.domains, ['edge', 'empty']);
  assert.equal(tree.limitCount, 4);
});
