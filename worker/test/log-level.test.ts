import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { levelTracking, setTrackedLevel, trackLevel } from '../src/process/log-level.js';

test('a new level reaches children and grandchildren, which keep every binding of their parents', () => {
  const lines: Record<string, unknown>[] = [];
  const root = trackLevel(pino({ level: 'info', base: { r: 1 }, ...levelTracking }, { write: (l: string) => void lines.push(JSON.parse(l)) }));
  const grandchild = root.child({ listener: 'http' }).child({ component: 'filter' });
  grandchild.debug('not yet');
  setTrackedLevel('debug');
  grandchild.debug('now');
  setTrackedLevel('info');
  assert.deepEqual(
    lines.map((l) => [l['msg'], l['listener'], l['component'], l['r']]),
    [['now', 'http', 'filter', 1]],
  );
});
