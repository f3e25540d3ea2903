import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostSet } from '../src/upstream/lb/load-balancer.js';
import { MAGLEV_TABLE_SIZE, Maglev } from '../src/upstream/lb/maglev.js';

function hostSet(n: number, down: number[] = []): HostSet {
  const d = new Set(down);
  return { size: n, allUsable: d.size === 0, usable: (i) => !d.has(i), weight: () => 1, activeRequests: () => 0 };
}

const names = (n: number) => Array.from({ length: n }, (_, i) => `10.0.0.${i + 1}:8080`);
const keys = Array.from({ length: 20_000 }, (_, i) => `user-${i}`);

test('the table is full and balanced: each of 5 hosts owns about a fifth of it', () => {
  const lb = new Maglev(names(5), [1, 1, 1, 1, 1]);
  const owned = new Array<number>(5).fill(0);
  for (const h of lb.entries) {
    assert.ok(h >= 0);
    owned[h]!++;
  }
  for (const n of owned) assert.ok(Math.abs(n - MAGLEV_TABLE_SIZE / 5) < MAGLEV_TABLE_SIZE * 0.01, `owned ${owned.join(',')}`);
});

test('weights give proportional shares of the table', () => {
  const lb = new Maglev(names(2), [3, 1]);
  const owned = [0, 0];
  for (const h of lb.entries) owned[h]!++;
  assert.ok(Math.abs(owned[0]! / MAGLEV_TABLE_SIZE - 0.75) < 0.01, `owned ${owned.join(',')}`);
});

test('the same key always reaches the same host, and tables built apart agree (every worker maps alike)', () => {
  const a = new Maglev(names(4), [1, 1, 1, 1]);
  const b = new Maglev(names(4), [1, 1, 1, 1]);
  const hosts = hostSet(4);
  for (const k of keys.slice(0, 2000)) {
    const h = a.pick(hosts, k);
    assert.equal(a.pick(hosts, k), h);
    assert.equal(b.pick(hosts, k), h);
  }
  const spread = new Array<number>(4).fill(0);
  for (const k of keys) spread[a.pick(hosts, k)]!++;
  for (const n of spread) assert.ok(Math.abs(n - 5000) < 400, `spread ${spread.join(',')}`);
});

test('taking one host out moves only that host\'s keys, spread over the others; bringing it back restores them', () => {
  const lb = new Maglev(names(5), [1, 1, 1, 1, 1]);
  const all = hostSet(5);
  const without2 = hostSet(5, [2]);
  const before = keys.map((k) => lb.pick(all, k));
  const after = keys.map((k) => lb.pick(without2, k));
  const moved = new Array<number>(5).fill(0);
  keys.forEach((_, i) => {
    if (before[i] !== 2) assert.equal(after[i], before[i], `key ${keys[i]} moved from host ${before[i]}`);
    else moved[after[i]!]!++;
  });
  assert.equal(moved[2], 0);
  const total = moved.reduce((a, b) => a + b, 0);
  for (const i of [0, 1, 3, 4]) assert.ok(Math.abs(moved[i]! - total / 4) < total * 0.1, `moved ${moved.join(',')}`);
  assert.deepEqual(keys.map((k) => lb.pick(all, k)), before);
});

test('removing a host from the config rebuilds the table with little disruption to the other keys', () => {
  const five = new Maglev(names(5), [1, 1, 1, 1, 1]);
  const fourNames = names(5).filter((_, i) => i !== 2);
  const four = new Maglev(fourNames, [1, 1, 1, 1]);
  let kept = 0;
  let others = 0;
  for (const k of keys) {
    const before = names(5)[five.pick(hostSet(5), k)]!;
    if (before === names(5)[2]) continue;
    others++;
    if (fourNames[four.pick(hostSet(4), k)] === before) kept++;
  }
  assert.ok(kept / others > 0.9, `only ${kept}/${others} keys of the remaining hosts stayed`);
});

test('with every host but one out, every key reaches that one; with none usable, -1', () => {
  const lb = new Maglev(names(3), [1, 1, 1]);
  for (const k of keys.slice(0, 500)) assert.equal(lb.pick(hostSet(3, [0, 2]), k), 1);
  assert.equal(lb.pick(hostSet(3, [0, 1, 2]), 'k'), -1);
  assert.equal(new Maglev([], []).pick(hostSet(0), 'k'), -1);
});

test('without a key, hosts are chosen at random', () => {
  const lb = new Maglev(names(2), [1, 1]);
  const c = [0, 0];
  for (let i = 0; i < 4000; i++) c[lb.pick(hostSet(2), undefined)]!++;
  assert.ok(Math.abs(c[0]! - 2000) < 250, `counts ${c.join(',')}`);
});
