// A strict parser of the Prometheus text exposition format 0.0.4, for the tests: it throws on
// anything Prometheus (or `promtool check metrics`) would refuse — bad names, bad escapes, bad
// numbers, a TYPE after samples, a family split in two, a duplicate series, a histogram whose
// buckets are not cumulative or lack +Inf or disagree with _count, a negative counter.
// (The test runner also loads this file as a test file; it has no side effects.)

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string | undefined;
  readonly samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parsePrometheus(text: string): Map<string, Family> {
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('expected the exposition to end with a line feed');
  const families = new Map<string, Family>();
  const closed = new Set<string>();
  const series = new Set<string>();
  let current: Family | undefined;
  const lines = text.split('\n');
  lines.pop();
  const familyFor = (name: string, line: number): Family => {
    if (current?.name !== name) {
      if (current !== undefined) closed.add(current.name);
      if (closed.has(name)) throw new Error(`line ${line}: family ${name} appears again after another family`);
      let family = families.get(name);
      if (family === undefined) {
        family = { name, type: 'untyped', help: undefined, samples: [] };
        families.set(name, family);
      }
      current = family;
    }
    return current;
  };
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    if (raw.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(raw);
      if (match === null) return; // a plain comment
      const [, keyword, name = '', rest = ''] = match;
      if (!NAME.test(name)) throw new Error(`line ${line}: expected a metric name in ${keyword}, found ${JSON.stringify(name)}`);
      const family = familyFor(name, line);
      if (keyword === 'HELP') {
        if (family.help !== undefined) throw new Error(`line ${line}: second HELP for ${name}`);
        if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ''))) throw new Error(`line ${line}: bad escape in HELP of ${name}`);
        family.help = rest;
      } else {
        if (!TYPES.has(rest)) throw new Error(`line ${line}: expected a type, found ${JSON.stringify(rest)}`);
        if (family.samples.length > 0) throw new Error(`line ${line}: TYPE of ${name} after its samples`);
        if (family.type !== 'untyped') throw new Error(`line ${line}: second TYPE for ${name}`);
        family.type = rest as Family['type'];
      }
      return;
    }
    const sample = parseSample(raw, line);
    const base = baseName(sample.name, current);
    const family = familyFor(base, line);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (series.has(key)) throw new Error(`line ${line}: duplicate series ${raw}`);
    series.add(key);
    if (family.type === 'counter' && !(sample.value >= 0)) throw new Error(`line ${line}: expected a counter ≥ 0, found ${sample.value}`);
    family.samples.push(sample);
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

function baseName(name: string, current: Family | undefined): string {
  if (current !== undefined && (current.type === 'histogram' || current.type === 'summary')) {
    for (const suffix of ['_bucket', '_sum', '_count']) if (name === `${current.name}${suffix}`) return current.name;
  }
  return name;
}

function parseSample(raw: string, line: number): Sample {
  const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? ([^ ]+)(?: (-?\d+))?$/.exec(raw);
  if (match === null) throw new Error(`line ${line}: expected "name{labels} value", found ${JSON.stringify(raw)}`);
  const [, name = '', , labelText, valueText = ''] = match;
  return { name, labels: labelText === undefined ? {} : parseLabels(labelText, line), value: parseValue(valueText, line) };
}

function parseLabels(text: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.length > 0) {
    const match = /^([^=]*)="((?:[^"\\]|\\.)*)"(,|$)/.exec(rest);
    if (match === null) throw new Error(`line ${line}: expected name="value" labels, found ${JSON.stringify(rest)}`);
    const [all, name = '', escaped = '', comma] = match;
    if (!LABEL.test(name)) throw new Error(`line ${line}: expected a label name, found ${JSON.stringify(name)}`);
    if (name in labels) throw new Error(`line ${line}: label ${name} twice`);
    if (/\\[^\\"n]/.test(escaped.replace(/\\\\/g, ''))) throw new Error(`line ${line}: bad escape in label ${name}`);
    labels[name] = escaped.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(all.length);
    if (comma === ',' && rest.length === 0) break; // a trailing comma is allowed
  }
  return labels;
}

function parseValue(text: string, line: number): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`line ${line}: expected a number, found ${JSON.stringify(text)}`);
  return Number(text);
}

function checkHistogram(family: Family): void {
  const groups = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const group = groups.get(key) ?? { buckets: [] };
    groups.set(key, group);
    if (sample.name === `${family.name}_bucket`) {
      if (le === undefined) throw new Error(`${family.name}: a bucket without le`);
      group.buckets.push([le === '+Inf' ? Infinity : parseValue(le, 0), sample.value]);
    } else if (sample.name === `${family.name}_count`) group.count = sample.value;
    else if (sample.name === `${family.name}_sum`) group.sum = sample.value;
    else throw new Error(`${family.name}: unexpected sample ${sample.name} in a histogram`);
  }
  for (const [labels, group] of groups) {
    const sorted = [...group.buckets].sort((a, b) => a[0] - b[0]);
    if (sorted.at(-1)?.[0] !== Infinity) throw new Error(`${family.name}${labels}: expected a +Inf bucket`);
    sorted.forEach(([, value], i) => {
      if (i > 0 && value < (sorted[i - 1] as [number, number])[1]) throw new Error(`${family.name}${labels}: buckets not cumulative`);
    });
    if (group.count === undefined || group.sum === undefined) throw new Error(`${family.name}${labels}: expected _count and _sum`);
    if (group.count !== sorted.at(-1)?.[1]) throw new Error(`${family.name}${labels}: expected _count ${group.count} to equal the +Inf bucket ${sorted.at(-1)?.[1]}`);
  }
}

/** The value of the one sample named `name` with exactly these labels; throws when there is none. */
export function valueOf(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const want = JSON.stringify(Object.entries(labels).sort());
  for (const family of families.values()) {
    for (const sample of family.samples) {
      if (sample.name === name && JSON.stringify(Object.entries(sample.labels).sort()) === want) return sample.value;
    }
  }
  throw new Error(`expected a sample ${name}${want} in the exposition, found none`);
}
