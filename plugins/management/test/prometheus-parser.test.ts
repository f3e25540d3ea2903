import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePrometheus } from './helpers/prometheus-parser.js';

// The exposition tests lean on this parser: it must refuse what Prometheus refuses.
const GOOD = '# HELP a_total A.\n# TYPE a_total counter\na_total{x="1"} 3\n\n# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1.5\nh_count 2\n';

test('the test parser reads a valid exposition', () => {
  const families = parsePrometheus(GOOD);
  assert.equal(families.get('a_total')?.samples[0]?.value, 3);
  assert.equal(families.get('h')?.type, 'histogram');
});

test('the test parser refuses malformed expositions', () => {
  const bad: Record<string, string> = {
    'no final line feed': 'a 1',
    'a bad metric name': 'a-b 1\n',
    'a bad value': 'a one\n',
    'an unquoted label': 'a{x=1} 1\n',
    'a bad escape': 'a{x="\\q"} 1\n',
    'a duplicate series': 'a{x="1"} 1\na{x="1"} 2\n',
    'a family split in two': 'a 1\nb 1\na{y="2"} 1\n',
    'a TYPE after samples': 'a 1\n# TYPE a counter\n',
    'a negative counter': '# TYPE a counter\na -1\n',
    'buckets not cumulative': '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
    'no +Inf bucket': '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n',
    'a count that is not the +Inf bucket': '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n',
    'a bad label name': 'a{1x="1"} 1\n',
  };
  for (const [what, text] of Object.entries(bad)) assert.throws(() => parsePrometheus(text), Error, what);
});
