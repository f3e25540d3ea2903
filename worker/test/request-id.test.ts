import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RequestIdGenerator } from '../src/filter/network/request-id.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('generated request ids are UUID v4 shaped, share the worker\'s prefix, and count up in the last group', () => {
  const ids = new RequestIdGenerator();
  const all = Array.from({ length: 20_000 }, () => ids.next());
  for (const id of all) assert.match(id, UUID_V4);
  assert.equal(new Set(all).size, all.length, 'no id twice');
  const prefix = (all[0] as string).slice(0, 24);
  assert.ok(all.every((id) => id.startsWith(prefix)));
  const counters = all.map((id) => parseInt(id.slice(24), 16));
  // Consecutive, carries included (20 000 ids cross several hex digit boundaries).
  for (let i = 1; i < counters.length; i++) assert.equal(counters[i], (counters[i - 1] as number) + 1);
});

test('two workers draw different prefixes', () => {
  assert.notEqual(new RequestIdGenerator().next().slice(0, 24), new RequestIdGenerator().next().slice(0, 24));
});
