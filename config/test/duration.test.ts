import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONFIG_ERROR_CODES, ConfigError, formatDuration, parseDuration } from '../src/index.js';

test('parseDuration reads Go duration strings into milliseconds', () => {
  const cases: [string, number][] = [
    ['30s', 30_000],
    ['250ms', 250],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['0', 0],
    ['0s', 0],
    ['+5s', 5_000],
    ['1.5h', 5_400_000],
    ['1.1s', 1_100],
    ['.5s', 500],
    ['2h45m0.5s', 9_900_500],
    ['1500us', 2],
    ['1500\u00b5s', 2],
    ['1ns', 1],
  ];
  for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
});

test('parseDuration rounds sub-millisecond remainders up so that non-zero never becomes 0', () => {
  assert.equal(parseDuration('1ns'), 1);
  assert.equal(parseDuration('1000001ns'), 2);
  assert.equal(parseDuration('1000000ns'), 1);
});

test('parseDuration rejects anything that is not a non-negative Go duration', () => {
  for (const text of ['', '30', '-1s', '5x', '1d', '1 s', 's', '.s', '1.2.3s', '30S', '1h ', '9999999999h']) {
    assert.throws(
      () => parseDuration(text),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.code === CONFIG_ERROR_CODES.INVALID_DURATION &&
        err.message === `expected a duration such as "30s", "250ms", "1m30s" or "0", found ${JSON.stringify(text)}`,
      JSON.stringify(text),
    );
  }
});

test('formatDuration writes what parseDuration reads back', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [250, '250ms'],
    [1_500, '1s500ms'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [5_400_000, '1h30m'],
  ];
  for (const [ms, text] of cases) {
    assert.equal(formatDuration(ms), text);
    assert.equal(parseDuration(text), ms);
  }
  assert.throws(() => formatDuration(-1), RangeError);
});
