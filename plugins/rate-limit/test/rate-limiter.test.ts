import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RATE_LIMIT_ERROR_CODES } from '../src/index.js';
import { T0, edge, inProcess, testClock } from './helpers/rate-limit.js';

const perAddress = (requests_per_unit: number, unit = 'second') => edge([{ key: 'remote_address', rate_limit: { unit, requests_per_unit } }]);
const from = (address: string) => ({ domain: 'edge', descriptors: [{ remote_address: address }] });

test('exactly requests_per_unit hits pass in a window, the next is OVER_LIMIT with nothing remaining', async (t) => {
  const clock = testClock(T0 + 250);
  const plugin = await inProcess(t, perAddress(3), clock);
  const limit = { requestsPerUnit: 3, unit: 'second' };
  for (const remaining of [2, 1, 0]) {
    assert.deepEqual(await plugin.rateLimit(from('1.2.3.4')), {
      overallCode: 'OK',
      statuses: [{ code: 'OK', limit, limitRemaining: remaining, durationUntilResetMs: 750 }],
    });
  }
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(await plugin.rateLimit(from('1.2.3.4')), {
      overallCode: 'OVER_LIMIT',
      statuses: [{ code: 'OVER_LIMIT', limit, limitRemaining: 0, durationUntilResetMs: 750 }],
    });
  }
});

test('a new window counts from zero again, at the unit boundary and not before', async (t) => {
  const clock = testClock(T0 + 59_000);
  const plugin = await inProcess(t, perAddress(2, 'minute'), clock);
  await plugin.rateLimit(from('1.2.3.4'));
  await plugin.rateLimit(from('1.2.3.4'));
  clock.advance(999); // T0 + 59.999 s: same window
  const last = await plugin.rateLimit(from('1.2.3.4'));
  assert.equal(last.overallCode, 'OVER_LIMIT');
  assert.equal(last.statuses[0]?.durationUntilResetMs, 1);
  clock.advance(1); // T0 + 60 s: the next minute
  assert.deepEqual((await plugin.rateLimit(from('1.2.3.4'))).statuses[0], {
    code: 'OK',
    limit: { requestsPerUnit: 2, unit: 'minute' },
    limitRemaining: 1,
    durationUntilResetMs: 60_000,
  });
});

test('windows are fixed per unit: an hour and a day window reset at their own boundaries', async (t) => {
  const clock = testClock(T0 + 3_600_000 - 10);
  const plugin = await inProcess(
    t,
    edge([
      { key: 'a', rate_limit: { unit: 'hour', requests_per_unit: 1 } },
      { key: 'b', rate_limit: { unit: 'day', requests_per_unit: 1 } },
    ]),
    clock,
  );
  const both = { domain: 'edge', descriptors: [{ a: 'x' }, { b: 'x' }] };
  assert.deepEqual(
    (await plugin.rateLimit(both)).statuses.map((s) => [s.code, s.durationUntilResetMs]),
    [
      ['OK', 10],
      ['OK', 86_400_000 - 3_600_000 + 10],
    ],
  );
  clock.advance(10);
  assert.deepEqual(
    (await plugin.rateLimit(both)).statuses.map((s) => s.code),
    ['OK', 'OVER_LIMIT'],
  );
});

test('a wildcard node counts each value apart; a node with the same value wins over it', async (t) => {
  const plugin = await inProcess(
    t,
    edge([
      { key: 'remote_address', rate_limit: { unit: 'minute', requests_per_unit: 2 } },
      { key: 'remote_address', value: '10.0.0.1', rate_limit: { unit: 'minute', requests_per_unit: 5, name: 'office' } },
      { key: 'remote_address', value: '127.0.0.1' }, // matched, and no limit: exempt from the wildcard
    ]),
  );
  const allowed = async (address: string, attempts: number): Promise<number> => {
    let ok = 0;
    for (let i = 0; i < attempts; i++) if ((await plugin.rateLimit(from(address))).overallCode === 'OK') ok++;
    return ok;
  };
  assert.equal(await allowed('1.2.3.4', 10), 2);
  assert.equal(await allowed('5.6.7.8', 10), 2, 'another value of the wildcard key has its own counter');
  assert.equal(await allowed('10.0.0.1', 10), 5, 'the exact value has its own limit');
  assert.deepEqual((await plugin.rateLimit(from('10.0.0.1'))).statuses[0]?.limit, { requestsPerUnit: 5, unit: 'minute', name: 'office' });
  assert.equal(await allowed('127.0.0.1', 10), 10);
  assert.deepEqual((await plugin.rateLimit(from('127.0.0.1'))).statuses, [{ code: 'OK', limitRemaining: 0, durationUntilResetMs: 0 }]);
});

test('nested descriptors: the limit is the rate_limit of the node the last entry reaches', async (t) => {
  const plugin = await inProcess(
    t,
    edge([
      {
        key: 'path',
        value: '/login',
        rate_limit: { unit: 'minute', requests_per_unit: 10 },
        descriptors: [{ key: 'remote_address', rate_limit: { unit: 'minute', requests_per_unit: 2 } }],
      },
      { key: 'path', value: '/api', descriptors: [{ key: 'user', rate_limit: { unit: 'second', requests_per_unit: 1 } }] },
    ]),
  );
  const limitOf = async (...descriptors: Record<string, string>[]) =>
    (await plugin.rateLimit({ domain: 'edge', descriptors })).statuses.map((s) => s.limit?.requestsPerUnit);

  assert.deepEqual(await limitOf({ path: '/login' }), [10]);
  assert.deepEqual(await limitOf({ path: '/login', remote_address: '1.2.3.4' }), [2]);
  assert.deepEqual(await limitOf({ path: '/api' }), [undefined], 'the node reached has no rate_limit of its own');
  assert.deepEqual(await limitOf({ path: '/api', user: 'alice' }), [1]);
  assert.deepEqual(await limitOf({ path: '/other' }), [undefined], 'no node for this value and no wildcard');
  assert.deepEqual(await limitOf({ path: '/login', remote_address: '1.2.3.4', user: 'alice' }), [undefined], 'longer than the tree');
  assert.deepEqual(await limitOf({ remote_address: '1.2.3.4' }), [undefined], 'the nested key is not at the top');
  assert.deepEqual(await limitOf({ user: 'alice', path: '/api' }), [undefined], 'entries are matched in order');

  // [path=/login] and [path=/login, remote_address=…] are different counters.
  const login = await plugin.rateLimit({ domain: 'edge', descriptors: [{ path: '/login' }] });
  assert.equal(login.statuses[0]?.limitRemaining, 10 - 2);
  const nested = { domain: 'edge', descriptors: [{ path: '/login', remote_address: '1.2.3.4' }] };
  assert.deepEqual((await plugin.rateLimit(nested)).statuses.map((s) => [s.code, s.limitRemaining]), [['OK', 0]]);
  assert.equal((await plugin.rateLimit(nested)).overallCode, 'OVER_LIMIT');
});

test('several descriptors in one request: one status each, in order, and every limited one counts', async (t) => {
  const plugin = await inProcess(
    t,
    edge([
      { key: 'remote_address', rate_limit: { unit: 'minute', requests_per_unit: 1 } },
      { key: 'path', rate_limit: { unit: 'minute', requests_per_unit: 3 } },
    ]),
  );
  const request = { domain: 'edge', descriptors: [{ path: '/a' }, { nothing: 'here' }, { remote_address: '1.2.3.4' }] };
  const first = await plugin.rateLimit(request);
  assert.equal(first.overallCode, 'OK');
  assert.deepEqual(
    first.statuses.map((s) => [s.code, s.limit?.requestsPerUnit, s.limitRemaining]),
    [
      ['OK', 3, 2],
      ['OK', undefined, 0],
      ['OK', 1, 0],
    ],
  );
  const second = await plugin.rateLimit(request);
  assert.equal(second.overallCode, 'OVER_LIMIT', 'one descriptor over makes the whole request over');
  assert.deepEqual(
    second.statuses.map((s) => s.code),
    ['OK', 'OK', 'OVER_LIMIT'],
  );
  // The refused request counted against the path too (as with Envoy's service): 3 of 3 used.
  assert.deepEqual((await plugin.rateLimit({ domain: 'edge', descriptors: [{ path: '/a' }] })).statuses.map((s) => [s.code, s.limitRemaining]), [['OK', 0]]);
  assert.deepEqual(await plugin.rateLimit({ domain: 'edge', descriptors: [] }), { overallCode: 'OK', statuses: [] });
});

test('hitsAddend counts that many hits, and 0 counts as 1', async (t) => {
  const plugin = await inProcess(t, perAddress(10, 'minute'));
  const remaining = async (hitsAddend: number, address = '1.2.3.4') => {
    const status = (await plugin.rateLimit({ ...from(address), hitsAddend })).statuses[0];
    return [status?.code, status?.limitRemaining];
  };
  assert.deepEqual(await remaining(4), ['OK', 6]);
  assert.deepEqual(await remaining(6), ['OK', 0], 'reaching the limit exactly is still OK');
  assert.deepEqual(await remaining(1), ['OVER_LIMIT', 0]);
  assert.deepEqual(await remaining(11, '5.6.7.8'), ['OVER_LIMIT', 0], 'one request above the whole limit');
  assert.deepEqual(await remaining(0, '9.9.9.9'), ['OK', 9]);
});

test('requests_per_unit 0 refuses every hit', async (t) => {
  const plugin = await inProcess(t, perAddress(0, 'day'));
  assert.equal((await plugin.rateLimit(from('1.2.3.4'))).overallCode, 'OVER_LIMIT');
});

test('a domain the config does not have is OK with no limit, and logged once', async (t) => {
  const plugin = await inProcess(t, perAddress(1));
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(await plugin.rateLimit({ domain: 'other', descriptors: [{ remote_address: '1.2.3.4' }] }), {
      overallCode: 'OK',
      statuses: [{ code: 'OK', limitRemaining: 0, durationUntilResetMs: 0 }],
    });
  }
  assert.equal(plugin.logs.filter((l) => l['level'] === 40 && l['domain'] === 'other').length, 1);
});

test('a malformed request fails with MOSN_ERR_RATE_LIMIT_REQUEST_INVALID saying what was wrong', async (t) => {
  const plugin = await inProcess(t, perAddress(1));
  await assert.rejects(plugin.rateLimit({ ...from('1.2.3.4'), hitsAddend: -1 }), (error: Error & { code?: string; cause?: { code?: string } }) => {
    assert.equal(error.code, 'MOSN_ERR_PLUGIN_HOOK_FAILED');
    assert.equal(error.cause?.code, RATE_LIMIT_ERROR_CODES.requestInvalid);
    assert.match(error.message, /hitsAddend: expected a whole number of 0 or more, found -1/);
    return true;
  });
  const badEntry = { domain: 'edge', descriptors: [{ entries: [{ key: 'remote_address', value: 7 as unknown as string }] }] };
  await assert.rejects(plugin.rateLimit(badEntry), /descriptors\[0\]\.entries\[0\]: expected \{ key: string, value: string \}, found \{"key":"remote_address","value":7\}/);
});

test('the same descriptor in two domains has two counters', async (t) => {
  const plugin = await inProcess(t, {
    domains: [
      { domain: 'a', descriptors: [{ key: 'k', rate_limit: { unit: 'minute', requests_per_unit: 1 } }] },
      { domain: 'b', descriptors: [{ key: 'k', rate_limit: { unit: 'minute', requests_per_unit: 1 } }] },
    ],
  });
  assert.equal((await plugin.rateLimit({ domain: 'a', descriptors: [{ k: 'v' }] })).overallCode, 'OK');
  assert.equal((await plugin.rateLimit({ domain: 'b', descriptors: [{ k: 'v' }] })).overallCode, 'OK');
  assert.equal((await plugin.rateLimit({ domain: 'a', descriptors: [{ k: 'v' }] })).overallCode, 'OVER_LIMIT');
});
