import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONFIG_ERROR_CODES, ConfigError, formatIssue, parseConfig, type ConfigIssue } from '../src/index.js';

/** Parses text that must fail, and returns the error. */
function failure(text: string, file: string): ConfigError {
  try {
    parseConfig(text, file);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the config to be rejected');
}

/** Asserts that the error holds exactly one issue like `expected` and that it shows in the message. */
function assertOneIssue(err: ConfigError, expected: Omit<ConfigIssue, 'message'> & { message: string | RegExp }): void {
  assert.equal(err.issues.length, 1, `expected one issue, got:\n${err.message}`);
  const [issue] = err.issues;
  assert.ok(issue);
  const { message, ...where } = expected;
  assert.deepStrictEqual({ file: issue.file, line: issue.line, col: issue.col, path: issue.path }, where);
  if (typeof message === 'string') assert.equal(issue.message, message);
  else assert.match(issue.message, message);
  assert.ok(err.message.includes(formatIssue(issue)), err.message);
}

/** `line:col` (1-based) of the `nth` occurrence of `needle` in `text`: where an issue must point. */
function at(text: string, needle: string, nth = 0): { line: number; col: number } {
  let offset = -1;
  for (let i = 0; i <= nth; i++) {
    offset = text.indexOf(needle, offset + 1);
    assert.ok(offset >= 0, `${needle} not found in the test input`);
  }
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, col: offset - before.lastIndexOf('\n') };
}

/** The issues as `line:col path: message` lines. */
function lines(err: ConfigError): string[] {
  return err.issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`);
}

/** `line:col` of a needle, for building expected lines. */
function lc(text: string, needle: string, nth = 0): string {
  const { line, col } = at(text, needle, nth);
  return `${line}:${col}`;
}

const HTTP_LISTENER = (fields: string) =>
  `{"name": "l", "address": "127.0.0.1:80", ${fields}"filter_chains": [{"filters": [{"type": "proxy", "config": {"router_config_name": "r"}}]}]}`;
const ROUTERS = '"routers": [{"router_config_name": "r", "virtual_hosts": []}]';

test('a value of the wrong type names the path, what was expected and what was found', () => {
  const err = failure('servers:\n  - listeners:\n      - name: 42\n', 'x.yaml');
  assert.equal(err.code, CONFIG_ERROR_CODES.INVALID);
  const issue = err.issues.find((i) => i.path === 'servers[0].listeners[0].name');
  assert.deepStrictEqual(issue, { file: 'x.yaml', line: 3, col: 15, path: 'servers[0].listeners[0].name', message: 'expected a string, found 42' });
});

test('a missing required key is reported at the object that lacks it', () => {
  const err = failure('{\n  "servers": [{}],\n  "cluster_manager": {"clusters": [\n    {"hosts": []}\n  ]}\n}', 'c.json');
  assertOneIssue(err, { file: 'c.json', line: 4, col: 5, path: 'cluster_manager.clusters[0].name', message: 'is required (expected a string)' });
});

test('an unknown key is an error at the key, with a did-you-mean for a near miss', () => {
  const text = `{"servers": [{"listeners": [${HTTP_LISTENER('"bind_prot": true, ')}], ${ROUTERS}}]}`;
  const err = failure(text, 'u.json');
  assertOneIssue(err, {
    file: 'u.json',
    line: 1,
    col: 70,
    path: 'servers[0].listeners[0].bind_prot',
    message: 'unknown key "bind_prot" in a listener; did you mean "bind_port"?',
  });
});

test('an unknown key far from any known one lists the keys that are allowed', () => {
  const err = failure('servers: [{}]\nworkers: { zzz: 1 }\n', 'w.yaml');
  assertOneIssue(err, { file: 'w.yaml', line: 2, col: 12, path: 'workers.zzz', message: 'unknown key "zzz" in a workers; expected one of "count", "drain_timeout", "ready_timeout"' });
});

test('a key MOSN knows but MOSN.ts does not support yet says exactly that', () => {
  const yaml = 'servers: [{}]\ncluster_manager:\n  clusters:\n    - name: c\n      dns_refresh_rate: 1s\n';
  const err = failure(yaml, 'h.yaml');
  assertOneIssue(err, {
    file: 'h.yaml',
    line: 5,
    col: 7,
    path: 'cluster_manager.clusters[0].dns_refresh_rate',
    message: '"dns_refresh_rate" is a MOSN cluster option that MOSN.ts does not support yet',
  });
});

test('unsupported MOSN keys are recognised at every level, top level included', () => {
  const yaml = [
    'tracing: { enable: true }',
    'servers:',
    '  - default_log_path: stdout',
    '    routers: [{ router_config_name: r, router_configs: /x, virtual_hosts: [{ name: v, domains: ["*"], require_tls: x,',
    '        routers: [{ match: { prefix: /, variables: [] }, route: { cluster_name: c, metadata_match: {} }, metadata: {} }] }] }]',
    'cluster_manager: { clusters_configs: /x, clusters: [{ name: c, hosts: [{ address: "1.2.3.4:5", hostname: h }] }] }',
  ].join('\n');
  const err = failure(yaml, 'm.yaml');
  const unsupported = (key: string, noun: string) => `"${key}" is a MOSN ${noun} option that MOSN.ts does not support yet`;
  const vh = 'servers[0].routers[0].virtual_hosts[0]';
  assert.deepStrictEqual(lines(err), [
    `1:1 tracing: ${unsupported('tracing', 'top-level')}`,
    `3:5 servers[0].default_log_path: ${unsupported('default_log_path', 'server')}`,
    `${lc(yaml, 'router_configs')} servers[0].routers[0].router_configs: ${unsupported('router_configs', 'router config')}`,
    `${lc(yaml, 'require_tls')} ${vh}.require_tls: ${unsupported('require_tls', 'virtual host')}`,
    `${lc(yaml, 'variables')} ${vh}.routers[0].match.variables: ${unsupported('variables', 'route match')}`,
    `${lc(yaml, 'metadata_match')} ${vh}.routers[0].route.metadata_match: ${unsupported('metadata_match', 'route action')}`,
    `${lc(yaml, 'metadata:')} ${vh}.routers[0].metadata: ${unsupported('metadata', 'route')}`,
    `${lc(yaml, 'clusters_configs')} cluster_manager.clusters_configs: ${unsupported('clusters_configs', 'cluster manager')}`,
    `${lc(yaml, 'hostname')} cluster_manager.clusters[0].hosts[0].hostname: ${unsupported('hostname', 'host')}`,
  ]);
});

test('unsupported MOSN keys of listeners and filter configs are recognised', () => {
  const text = `{"servers": [{"listeners": [{"name": "l", "address": "127.0.0.1:80", "listener_filters": [], "filter_chains": [{"match": {},
"filters": [{"type": "proxy", "config": {"router_config_name": "r", "validate_clusters": true}}]}]}], ${ROUTERS}}]}`;
  const err = failure(text, 'f.json');
  const l = 'servers[0].listeners[0]';
  assert.deepStrictEqual(lines(err), [
    `${lc(text, '"listener_filters"')} ${l}.listener_filters: "listener_filters" is a MOSN listener option that MOSN.ts does not support yet`,
    `${lc(text, '"match"')} ${l}.filter_chains[0].match: "match" is a MOSN filter chain option that MOSN.ts does not support yet`,
    `${lc(text, '"validate_clusters"')} ${l}.filter_chains[0].filters[0].config.validate_clusters: "validate_clusters" is a MOSN "proxy" filter option that MOSN.ts does not support yet`,
  ]);
});

test('an unknown enum value names the allowed values', () => {
  const err = failure('servers: [{}]\ncluster_manager:\n  clusters:\n    - name: c\n      lb_type: LB_FOO\n', 'e.yaml');
  assertOneIssue(err, { file: 'e.yaml', line: 5, col: 16, path: 'cluster_manager.clusters[0].lb_type', message: 'expected one of "LB_ROUNDROBIN", "LB_WEIGHTED_ROUNDROBIN", "LB_RANDOM", "LB_LEAST_REQUEST", "LB_MAGLEV", found "LB_FOO"' });
});

test('a cluster type MOSN has is "not supported yet" rather than silently SIMPLE', () => {
  const err = failure('servers: [{}]\ncluster_manager:\n  clusters:\n    - name: c\n      type: STRICT_DNS\n', 't.yaml');
  assertOneIssue(err, {
    file: 't.yaml',
    line: 5,
    col: 13,
    path: 'cluster_manager.clusters[0].type',
    message: '"STRICT_DNS" is a MOSN cluster type that MOSN.ts does not support yet (supported: "SIMPLE")',
  });
});

test('a wrongly cased enum value gets a did-you-mean', () => {
  const err = failure('servers:\n  - default_log_level: debug\n', 'l.yaml');
  assertOneIssue(err, {
    file: 'l.yaml',
    line: 2,
    col: 24,
    path: 'servers[0].default_log_level',
    message: 'expected one of "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", found "debug"; did you mean "DEBUG"?',
  });
});

test('an unsupported network filter type is reported at its type', () => {
  const text = '{"servers": [{"listeners": [{"name": "l", "address": "127.0.0.1:80", "filter_chains": [{"filters": [{"type": "udp_proxy", "config": {}}]}]}]}]}';
  const err = failure(text, 'n.json');
  assertOneIssue(err, {
    file: 'n.json',
    ...at(text, '"udp_proxy"'),
    path: 'servers[0].listeners[0].filter_chains[0].filters[0].type',
    message: '"udp_proxy" is a MOSN network filter type that MOSN.ts does not support yet (supported: "proxy", "tcp_proxy")',
  });
});

test('more than one filter chain, filter or server is "not supported yet"', () => {
  const chain = '{"filters": [{"type": "tcp_proxy", "config": {"cluster": "c"}}]}';
  const text = `{"servers": [{"listeners": [{"name": "l", "address": "127.0.0.1:80", "filter_chains": [${chain}, ${chain}]}]}, {}],
  "cluster_manager": {"clusters": [{"name": "c"}]}}`;
  const err = failure(text, 'o.json');
  assert.deepStrictEqual(
    err.issues.map((i) => `${i.path}: ${i.message}`),
    ['servers[0].listeners[0].filter_chains[1]: more than one filter chain per listener is not supported yet', 'servers[1]: more than one server is not supported yet'],
  );
});

test('a bad duration says what a duration looks like', () => {
  const yaml = 'servers: [{}]\ncluster_manager:\n  clusters:\n    - name: c\n      connect_timeout: 3 seconds\n';
  const err = failure(yaml, 'd.yaml');
  assertOneIssue(err, {
    file: 'd.yaml',
    line: 5,
    col: 24,
    path: 'cluster_manager.clusters[0].connect_timeout',
    message: 'expected a duration such as "30s", "250ms", "1m30s" or "0", found "3 seconds"',
  });
});

test('a duration written as a bare number is rejected with a hint about the unit', () => {
  const err = failure('servers: [{}]\nworkers: { drain_timeout: 30 }\n', 'n.yaml');
  assertOneIssue(err, { file: 'n.yaml', line: 2, col: 27, path: 'workers.drain_timeout', message: /found 30 \(a number; durations need a unit\)$/ });
});

test('a duration too long for a Node timer is rejected', () => {
  const err = failure('servers: [{}]\nworkers: { drain_timeout: 1000h }\n', 'n.yaml');
  assertOneIssue(err, { file: 'n.yaml', line: 2, col: 27, path: 'workers.drain_timeout', message: 'expected a duration of at most 596h31m23s647ms, found "1000h"' });
});

test('a listener port out of range names the expected form', () => {
  const text = `{"servers": [{\n  "listeners": [${HTTP_LISTENER('')},\n    {"name": "m", "address": "127.0.0.1:99999", "filter_chains": []}\n  ], ${ROUTERS}}]}`;
  const err = failure(text, 'examples/x.json');
  const issue = err.issues.find((i) => i.path === 'servers[0].listeners[1].address');
  assert.deepStrictEqual(issue, {
    file: 'examples/x.json',
    line: 3,
    col: 30,
    path: 'servers[0].listeners[1].address',
    message: 'expected "host:port" with a port 0-65535, found "127.0.0.1:99999"',
  });
});

test('an upstream host may not use port 0 nor an unbracketed IPv6 address', () => {
  const yaml = 'servers: [{}]\ncluster_manager:\n  clusters:\n    - name: c\n      hosts:\n        - address: 10.0.0.1:0\n        - address: ::1:80\n';
  const err = failure(yaml, 'p.yaml');
  assert.deepStrictEqual(
    err.issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`),
    [
      '6:20 cluster_manager.clusters[0].hosts[0].address: expected "host:port" with a port 1-65535, found "10.0.0.1:0"',
      '7:20 cluster_manager.clusters[0].hosts[1].address: expected "host:port" with a port 1-65535, found "::1:80"',
    ],
  );
});

test('a route naming a missing cluster is an error at its cluster_name', () => {
  const yaml = [
    'servers:',
    '  - routers:',
    '      - router_config_name: r',
    '        virtual_hosts:',
    '          - name: v',
    '            domains: ["*"]',
    '            routers:',
    '              - match: { prefix: / }',
    '                route: { cluster_name: backedn }',
    'cluster_manager: { clusters: [{ name: backend }, { name: other }] }',
  ].join('\n');
  const err = failure(yaml, 'r.yaml');
  assertOneIssue(err, {
    file: 'r.yaml',
    line: 9,
    col: 40,
    path: 'servers[0].routers[0].virtual_hosts[0].routers[0].route.cluster_name',
    message: 'cluster "backedn" is not defined in cluster_manager.clusters (defined: "backend", "other"); did you mean "backend"?',
  });
});

test('a tcp_proxy naming a missing cluster is an error', () => {
  const text = '{"servers": [{"listeners": [{"name": "l", "address": "127.0.0.1:80", "filter_chains": [{"filters": [{"type": "tcp_proxy", "config": {"cluster": "db"}}]}]}]}]}';
  const err = failure(text, 't.json');
  assertOneIssue(err, {
    file: 't.json',
    ...at(text, '"db"'),
    path: 'servers[0].listeners[0].filter_chains[0].filters[0].config.cluster',
    message: 'cluster "db" is not defined in cluster_manager.clusters (cluster_manager.clusters defines none)',
  });
});

test('a proxy filter naming a missing router config is an error', () => {
  const text = `{"servers": [{"listeners": [${HTTP_LISTENER('')}], "routers": [{"router_config_name": "other"}]}]}`;
  const err = failure(text, 'm.json');
  assertOneIssue(err, {
    file: 'm.json',
    ...at(text, '"r"'),
    path: 'servers[0].listeners[0].filter_chains[0].filters[0].config.router_config_name',
    message: 'router config "r" is not defined in servers[0].routers (defined: "other")',
  });
});

test('a duplicate listener address is an error naming both paths', () => {
  const yaml = [
    'servers:',
    '  - listeners:',
    '      - { name: a, address: 127.0.0.1:80, filter_chains: [{ filters: [{ type: tcp_proxy, config: { cluster: c } }] }] }',
    '      - { name: b, address: 127.0.0.1:80, filter_chains: [{ filters: [{ type: tcp_proxy, config: { cluster: c } }] }] }',
    'cluster_manager: { clusters: [{ name: c }] }',
  ].join('\n');
  const err = failure(yaml, 'a.yaml');
  assertOneIssue(err, {
    file: 'a.yaml',
    ...at(yaml, '127.0.0.1:80', 1),
    path: 'servers[0].listeners[1].address',
    message: 'duplicate listener address "127.0.0.1:80", also at servers[0].listeners[0].address',
  });
});

test('a specific address on a port where another listener takes every address is an error', () => {
  const listener = (name: string, address: string) =>
    `      - { name: ${name}, address: "${address}", filter_chains: [{ filters: [{ type: tcp_proxy, config: { cluster: c } }] }] }`;
  const yaml = [
    'servers:',
    '  - listeners:',
    listener('a', '0.0.0.0:80'),
    listener('b', '127.0.0.1:80'),
    listener('c', '[::1]:80'), // IPv6: not covered by 0.0.0.0
    listener('d', '127.0.0.1:0'), // port 0: a fresh port each
    listener('e', '127.0.0.1:0'),
    'cluster_manager: { clusters: [{ name: c }] }',
  ].join('\n');
  const err = failure(yaml, 'w.yaml');
  assertOneIssue(err, {
    file: 'w.yaml',
    ...at(yaml, '"127.0.0.1:80"'),
    path: 'servers[0].listeners[1].address',
    message: 'listener address "127.0.0.1:80" overlaps "0.0.0.0:80" at servers[0].listeners[0].address (same port, and one of them listens on every address)',
  });
});

test('duplicate listener, cluster and router config names and domains are errors', () => {
  const yaml = [
    'servers:',
    '  - listeners:',
    '      - { name: a, address: 127.0.0.1:81, filter_chains: [{ filters: [{ type: proxy, config: { router_config_name: r } }] }] }',
    '      - { name: a, address: 127.0.0.1:82, filter_chains: [{ filters: [{ type: proxy, config: { router_config_name: r } }] }] }',
    '    routers:',
    '      - { router_config_name: r, virtual_hosts: [{ name: v, domains: ["*"] }, { name: w, domains: [a.com, "*"] }] }',
    '      - { router_config_name: r }',
    'cluster_manager: { clusters: [{ name: c }, { name: c }] }',
  ].join('\n');
  const err = failure(yaml, 'n.yaml');
  assert.deepStrictEqual(lines(err), [
    `${lc(yaml, 'a, address: 127.0.0.1:82')} servers[0].listeners[1].name: duplicate listener name "a", also at servers[0].listeners[0].name`,
    `${lc(yaml, '"*"', 1)} servers[0].routers[0].virtual_hosts[1].domains[1]: duplicate domain in this router config "*", also at servers[0].routers[0].virtual_hosts[0].domains[0]`,
    `${lc(yaml, 'r }\n')} servers[0].routers[1].router_config_name: duplicate router_config_name "r", also at servers[0].routers[0].router_config_name`,
    `${lc(yaml, 'c }]')} cluster_manager.clusters[1].name: duplicate cluster name "c", also at cluster_manager.clusters[0].name`,
  ]);
});

test('a cluster with no hosts is valid', () => {
  const config = parseConfig('{"servers": [{}], "cluster_manager": {"clusters": [{"name": "empty"}]}}', 'e.json');
  assert.deepStrictEqual(config.clusters[0]?.hosts, []);
});

test('route rules: one of prefix/path/regex, one of route/direct_response, valid regexes', () => {
  const yaml = [
    'servers:',
    '  - routers:',
    '      - router_config_name: r',
    '        virtual_hosts:',
    '          - name: v',
    '            domains: ["*", "a.*.com"]',
    '            routers:',
    '              - match: { prefix: /, path: /x }',
    '                direct_response: { status: 200 }',
    '              - match: { regex: "(" }',
    '                direct_response: { status: 200 }',
    '              - match: { prefix: api, headers: [{ name: x, value: "[", regex: true }] }',
    '                direct_response: { status: 200 }',
    '                route: { cluster_name: c }',
    '              - match: { regex: /a }',
    '                route: { cluster_name: c, prefix_rewrite: /b }',
    '              - match: { path: /a }',
    'cluster_manager: { clusters: [{ name: c }] }',
  ].join('\n');
  const err = failure(yaml, 'rr.yaml');
  const r = 'servers[0].routers[0].virtual_hosts[0]';
  assert.deepStrictEqual(lines(err), [
    `${lc(yaml, '"a.*.com"')} ${r}.domains[1]: expected "*", a host name, "*.example.com" or "example.*" (one "*", at the start or the end), found "a.*.com"`,
    `${lc(yaml, '/x }')} ${r}.routers[0].match.path: expected only one of "prefix", "path" or "regex", found "prefix" and "path"`,
    `${lc(yaml, '"("')} ${r}.routers[1].match.regex: expected a valid regular expression, found "(" (/^(?:()$/: Unterminated group)`,
    `${lc(yaml, 'api,')} ${r}.routers[2].match.prefix: expected a prefix starting with "/", found "api"`,
    `${lc(yaml, '"["')} ${r}.routers[2].match.headers[0].value: expected a valid regular expression, found "[" (/^(?:[)$/: Unterminated character class)`,
    `${lc(yaml, '{ status: 200 }', 2)} ${r}.routers[2].direct_response: expected only one of "route", "direct_response" or "redirect", found "route" and "direct_response"`,
    `${lc(yaml, '/b }')} ${r}.routers[3].route.prefix_rewrite: prefix_rewrite needs a "prefix" or "path" match, found a "regex" match`,
    `${lc(yaml, 'match: { path: /a }')} ${r}.routers[4]: expected one of "route", "direct_response" or "redirect", found none`,
  ]);
});

test('every error is reported, in file order, in one ConfigError', () => {
  const yaml = 'servers:\n  - default_log_level: LOUD\n    listenrs: []\ncluster_manager:\n  clusters: [{ name: c, lb_type: LB_PEAK_EWMA }]\ntracing: {}\n';
  const err = failure(yaml, 'all.yaml');
  assert.deepStrictEqual(
    err.issues.map((i) => `${i.line}:${i.col} ${i.path}`),
    ['2:24 servers[0].default_log_level', '3:5 servers[0].listenrs', '5:34 cluster_manager.clusters[0].lb_type', '6:1 tracing'],
  );
  assert.match(err.message, /^config all\.yaml is invalid \(4 errors\):\n {2}all\.yaml:2:24 /);
  assert.equal(err.message.split('\n').length, 5);
});

test('a YAML syntax error is MOSN_ERR_CONFIG_SYNTAX with line:col', () => {
  const err = failure('servers:\n  - listeners: [\n  bad\n', 's.yaml');
  assert.equal(err.code, CONFIG_ERROR_CODES.SYNTAX);
  const [first] = err.issues;
  assert.deepStrictEqual({ file: first?.file, line: first?.line, col: first?.col, path: first?.path }, { file: 's.yaml', line: 3, col: 3, path: '' });
  assert.match(first?.message ?? '', /^invalid YAML: /);
  assert.match(err.message, /^config s\.yaml cannot be parsed/);
});

test('a JSON syntax error is MOSN_ERR_CONFIG_SYNTAX with line:col', () => {
  const err = failure('{\n  "servers": [\n    {"listeners": [],}\n  ]\n}\n', 's.json');
  assert.equal(err.code, CONFIG_ERROR_CODES.SYNTAX);
  assert.deepStrictEqual(err.issues, [
    { file: 's.json', line: 3, col: 22, path: '', message: 'invalid JSON: Expected double-quoted property name' },
  ]);
});

test('a JSON file is strict JSON: comments are syntax errors, not YAML', () => {
  const err = failure('{"servers": [{}], # comment\n}', 'c.json');
  assert.equal(err.code, CONFIG_ERROR_CODES.SYNTAX);
  assert.deepStrictEqual([err.issues[0]?.line, err.issues[0]?.col], [1, 19]);
});

test('a repeated key is a syntax error instead of the last one silently winning', () => {
  const err = failure('{\n  "servers": [],\n  "servers": [{}]\n}', 'k.json');
  assert.deepStrictEqual(err.issues, [
    { file: 'k.json', line: 3, col: 3, path: '', message: 'duplicate key "servers" (each key may appear once per object)' },
  ]);
});

test('an empty file or a non-object file is invalid', () => {
  assertOneIssue(failure('', 'e.yaml'), { file: 'e.yaml', line: 1, col: 1, path: '', message: /the file is empty/ });
  assertOneIssue(failure('[1]', 'a.json'), { file: 'a.json', line: 1, col: 1, path: '', message: 'expected an object, found an array' });
});
