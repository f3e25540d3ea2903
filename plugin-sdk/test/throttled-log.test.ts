import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ThrottledLog } from '../src/index.js';
import type { PluginLogger } from '../src/index.js';

function recorder(): { logger: PluginLogger; lines: { level: string; fields: Record<string, unknown>; message: string }[] } {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => void lines.push({ level, fields, message });
  return { logger: { warn: at('warn'), error: at('error') } as unknown as PluginLogger, lines };
}

test('one line per key per interval, the next one saying how many were left out', () => {
  let now = 0;
  const { logger, lines } = recorder();
  const log = new ThrottledLog(logger, { intervalMs: 1000, now: () => now });
  log.log('warn', 'disk', { path: '/a' }, 'write failed');
  log.log('warn', 'disk', { path: '/a' }, 'write failed');
  log.log('error', 'other', {}, 'another problem');
  now = 999;
  log.log('warn', 'disk', { path: '/a' }, 'write failed');
  now = 1000;
  log.log('warn', 'disk', { path: '/a' }, 'write failed');
  assert.deepEqual(lines, [
    { level: 'warn', fields: { path: '/a' }, message: 'write failed' },
    { level: 'error', fields: {}, message: 'another problem' },
    { level: 'warn', fields: { path: '/a', suppressed: 2 }, message: 'write failed (and 2 more like it left out)' },
  ]);
});
