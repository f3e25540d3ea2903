import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LeastRequest } from '../src/upstream/lb/least-request.js';
import { type HostSet, createLoadBalancer } from '../src/upstream/lb/load-balancer.js';
import { RandomBalancer } from '../src/upstream/lb/random.js';
import { RoundRobinBalancer, WeightedRoundRobinBalancer } from '../src/upstream/lb/round-robin-balancer.js';
import { requestHashKey, cookieValue } from '../src/upstream/lb/hash-key.js';

/** A host set for balancer tests: weights, hosts that may not be chosen, requests in flight. */
function hostSet(weights: number[], o: { down?: number[]; active?: number[] } = {}): HostSet {
  const down = new Set(o.down ?? []);
  return {
    size: weights.length,
    allUsable: down.size === 0,
    usable: (i) => !down.has(i),
    weight: (i) => weights[i] ?? 1,
    activeRequests: (i) => o.active?.[i] ?? 0,
  };
}

function counts(pick: () => number, n: number, hosts: number): number[] {
  const c = new Array<number>(hosts).fill(0);
  for (let i = 0; i < n; i++) {
    const h = pick();
    assert.ok(h >= 0 && h < hosts, `picked ${h}`);
    c[h]!++;
  }
  return c;
}

test('LB_ROUNDROBIN takes hosts in turn and ignores weights (MOSN\'s meaning)', () => {
  const lb = new RoundRobinBalancer();
  const hosts = hostSet([5, 1, 1]);
  assert.deepEqual(Array.from({ length: 6 }, () => lb.pick(hosts)), [0, 1, 2, 0, 1, 2]);
});

test('LB_ROUNDROBIN skips hosts that may not be chosen, and answers -1 when none may', () => {
  const lb = new RoundRobinBalancer();
  assert.deepEqual(Array.from({ length: 4 }, () => lb.pick(hostSet([1, 1, 1], { down: [1] }))), [0, 2, 0, 2]);
  assert.equal(lb.pick(hostSet([1, 1], { down: [0, 1] })), -1);
  assert.equal(lb.pick(hostSet([])), -1);
});

test('LB_WEIGHTED_ROUNDROBIN is smooth: weights 5,1,1 interleave, and a host that is down sits out', () => {
  const lb = new WeightedRoundRobinBalancer([5, 1, 1]);
  assert.deepEqual(Array.from({ length: 7 }, () => lb.pick(hostSet([5, 1, 1]))), [0, 0, 1, 0, 2, 0, 0]);
  const without0 = counts(() => lb.pick(hostSet([5, 1, 1], { down: [0] })), 100, 3);
  assert.deepEqual(without0, [0, 50, 50]);
  const w = new WeightedRoundRobinBalancer([3, 1]);
  assert.deepEqual(counts(() => w.pick(hostSet([3, 1])), 400, 2), [300, 100]);
});

test('LB_RANDOM spreads evenly within tolerance and never picks a host that is down', () => {
  const lb = new RandomBalancer();
  const c = counts(() => lb.pick(hostSet([1, 1, 1, 1])), 40_000, 4);
  for (const n of c) assert.ok(Math.abs(n - 10_000) < 600, `counts ${c.join(',')}`);
  const d = counts(() => lb.pick(hostSet([1, 1, 1], { down: [2] })), 3000, 3);
  assert.equal(d[2], 0);
  assert.equal(lb.pick(hostSet([1], { down: [0] })), -1);
});

test('LB_LEAST_REQUEST (two choices) avoids the busiest host and prefers idle ones', () => {
  const lb = new LeastRequest();
  // Host 0 has 10 requests in flight, the others none: with two choices, 0 only wins against itself, never.
  const c = counts(() => lb.pick(hostSet([1, 1, 1, 1], { active: [10, 0, 0, 0] })), 30_000, 4);
  assert.equal(c[0], 0);
  for (const n of c.slice(1)) assert.ok(Math.abs(n - 10_000) < 700, `counts ${c.join(',')}`);
  // With equal load it is uniform.
  const u = counts(() => lb.pick(hostSet([1, 1, 1, 1])), 40_000, 4);
  for (const n of u) assert.ok(Math.abs(n - 10_000) < 700, `counts ${u.join(',')}`);
  // Weighted: 4 in flight on a weight-4 host is as busy as 1 on a weight-1 host.
  const w = counts(() => lb.pick(hostSet([4, 1], { active: [3, 1] })), 1000, 2);
  assert.deepEqual(w, [1000, 0]);
  assert.equal(lb.pick(hostSet([1, 1], { down: [0] , active: [0, 50] })), 1);
});

test('createLoadBalancer builds each lb_type', () => {
  for (const t of ['LB_ROUNDROBIN', 'LB_WEIGHTED_ROUNDROBIN', 'LB_RANDOM', 'LB_LEAST_REQUEST', 'LB_MAGLEV'] as const) {
    const lb = createLoadBalancer(t, [1, 1], ['a:1', 'b:1']);
    const i = lb.pick(hostSet([1, 1]), 'k');
    assert.ok(i === 0 || i === 1, t);
  }
});

test('hash key: header, then cookie, then source IP; first that yields a value wins', () => {
  const headers: Record<string, string> = { 'x-user': 'alice', cookie: 'a=1; session="s-42"; b=2' };
  const get = (n: string) => headers[n];
  assert.equal(requestHashKey([{ header: { key: 'x-user' } }], get, '10.0.0.1'), 'alice');
  assert.equal(requestHashKey([{ header: { key: 'x-none' } }, { cookie: { name: 'session' } }], get, '10.0.0.1'), 's-42');
  assert.equal(requestHashKey([{ cookie: { name: 'nope' } }, { source_ip: {} }], get, '10.0.0.1'), '10.0.0.1');
  assert.equal(requestHashKey([{ header: { key: 'x-none' } }], get, '10.0.0.1'), undefined);
  assert.equal(requestHashKey(undefined, get, '10.0.0.1'), undefined);
  assert.equal(cookieValue('x=1;y=2', 'y'), '2');
  assert.equal(cookieValue('xy=1', 'y'), undefined);
});
