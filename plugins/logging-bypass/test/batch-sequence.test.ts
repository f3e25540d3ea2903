import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchSequences } from '../src/batch-sequence.js';

test('a pid starting again at seq 1 is a new worker; the old one stays in the totals', () => {
  const sequences = new BatchSequences();
  assert.deepEqual(sequences.observe({ pid: 9, workerId: 1, seq: 1, dropped: 0 }), { kind: 'accept', lost: 0, expected: 1 });
  assert.deepEqual(sequences.observe({ pid: 9, workerId: 1, seq: 4, dropped: 3 }), { kind: 'accept', lost: 2, expected: 2 });
  assert.deepEqual(sequences.observe({ pid: 9, workerId: 2, seq: 1, dropped: 1 }), { kind: 'accept', lost: 0, expected: 1 });
  assert.deepEqual(sequences.observe({ pid: 9, workerId: 2, seq: 2, dropped: 1 }), { kind: 'accept', lost: 0, expected: 2 });
  assert.deepEqual(sequences.totals(), { batches: 4, batchesLost: 2, batchesDuplicate: 0, dropped: 4 });
  assert.deepEqual([...sequences.workers].map((w) => [w.pid, w.workerId, w.lastSeq]), [[9, 2, 2]]);
});

test('the oldest workers are forgotten beyond the limit, their counts kept in the totals', () => {
  const sequences = new BatchSequences(2);
  sequences.observe({ pid: 1, workerId: 1, seq: 1, dropped: 5 });
  sequences.observe({ pid: 1, workerId: 1, seq: 3, dropped: 5 });
  sequences.observe({ pid: 2, workerId: 2, seq: 1, dropped: 0 });
  sequences.observe({ pid: 3, workerId: 3, seq: 1, dropped: 1 });
  assert.equal([...sequences.workers].length, 2);
  assert.deepEqual(sequences.totals(), { batches: 4, batchesLost: 1, batchesDuplicate: 0, dropped: 6 });
});
