import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, parseConfig, type MosnConfig } from '../src/index.js';

function withRoute(route: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    servers: [{ routers: [{ router_config_name: 'r', virtual_hosts: [{ name: 'v', domains: ['*'], routers: [route] }], ...extra }] }],
    cluster_manager: { clusters: [{ name: 'a' }, { name: 'b' }] },
  });
}

function messages(text: string, file = 'c.json'): string[] {
  try {
    parseConfig(text, file);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail('expected the config to be rejected');
}

test('retry_policy: defaults, num_retries as written, status_codes need retry_on', () => {
  const c = parseConfig(withRoute({ match: { prefix: '/' }, route: { cluster_name: 'a', retry_policy: { retry_on: true } } }), 'c.json');
  assert.deepEqual(c.routers[0]?.virtual_hosts[0]?.routers[0]?.route?.retry_policy, { retry_on: true, num_retries: 1, retry_timeout: 0, status_codes: [] });
  const seven = parseConfig(withRoute({ match: { prefix: '/' }, route: { cluster_name: 'a', retry_policy: { retry_on: true, num_retries: 0, retry_timeout: '2s', status_codes: [503] } } }), 'c.json');
  assert.deepEqual(seven.routers[0]?.virtual_hosts[0]?.routers[0]?.route?.retry_policy, { retry_on: true, num_retries: 0, retry_timeout: 2000, status_codes: [503] });
  const p = 'servers[0].routers[0].virtual_hosts[0].routers[0].route.retry_policy';
  assert.deepEqual(messages(withRoute({ match: { prefix: '/' }, route: { cluster_name: 'a', retry_policy: { status_codes: [503] } } })), [
    `${p}.status_codes: status_codes are only retried with "retry_on": true, found "retry_on": false`,
  ]);
  assert.deepEqual(messages(withRoute({ match: { prefix: '/' }, route: { cluster_name: 'a', retry_policy: { num_retries: 11 } } })), [`${p}.num_retries: expected a number at most 10, found 11`]);
});

test('a route names its cluster exactly one way; weighted clusters must exist and weigh something', () => {
  const p = 'servers[0].routers[0].virtual_hosts[0].routers[0]';
  assert.deepEqual(messages(withRoute({ match: { prefix: '/' }, route: { cluster_name: 'a', cluster_header: 'x-c' } })), [
    `${p}.route.cluster_header: expected only one of "cluster_name", "cluster_header" or "weighted_clusters", found "cluster_name" and "cluster_header"`,
  ]);
  assert.deepEqual(messages(withRoute({ match: { prefix: '/' }, route: { timeout: '1s' } })), [
    `${p}.route: expected one of "cluster_name", "cluster_header" or "weighted_clusters", found none`,
  ]);
  assert.deepEqual(messages(withRoute({ match: { prefix: '/' }, route: { weighted_clusters: [{ cluster: { name: 'a', weight: 0 } }, { cluster: { name: 'nope', weight: 0 } }] } })), [
    `${p}.route.weighted_clusters: expected weights adding up to more than 0, found all 0`,
    `${p}.route.weighted_clusters[1].cluster.name: cluster "nope" is not defined in cluster_manager.clusters (defined: "a", "b")`,
  ]);
  const ok = parseConfig(withRoute({ match: { prefix: '/' }, route: { weighted_clusters: [{ cluster: { name: 'a', weight: 9 } }, { cluster: { name: 'b', weight: 1 } }] } }), 'c.json');
  assert.deepEqual(ok.routers[0]?.virtual_hosts[0]?.routers[0]?.route?.weighted_clusters, [{ name: 'a', weight: 9 }, { name: 'b', weight: 1 }]);
});

test('header options: MOSN shapes, append defaults to true, proxy-owned fields and MOSN variables refused', () => {
  const c = parseConfig(withRoute(
    { match: { prefix: '/' }, route: { cluster_name: 'a', request_headers_to_add: [{ header: { key: 'X-A', value: '1' } }, { header: { key: 'x-b', value: '2' }, append: false }] } },
    { response_headers_to_remove: ['server'] },
  ), 'c.json');
  assert.deepEqual(c.routers[0]?.virtual_hosts[0]?.routers[0]?.route?.request_headers_to_add, [{ key: 'X-A', value: '1', append: true }, { key: 'x-b', value: '2', append: false }]);
  assert.deepEqual(c.routers[0]?.response_headers_to_remove, ['server']);
  const p = 'servers[0].routers[0].virtual_hosts[0].routers[0].route';
  const m = messages(withRoute({ match: { prefix: '/' }, route: { cluster_name: 'a', request_headers_to_add: [{ header: { key: 'Content-Length', value: '1' } }, { header: { key: 'x-ip', value: '%DOWNSTREAM_REMOTE_ADDRESS%' } }], response_headers_to_remove: ['bad name'] } }));
  assert.equal(m.length, 3, m.join('\n'));
  assert.match(m[0] ?? '', new RegExp(`^${p.replace(/[[\].]/g, '\\$&')}\\.request_headers_to_add\\[0\\]\\.header\\.key: expected a header the proxy does not manage itself, found "Content-Length"`));
  assert.match(m[1] ?? '', /request_headers_to_add\[1\]\.header\.value: MOSN header variables such as "%DOWNSTREAM_REMOTE_ADDRESS%" are not supported yet/);
  assert.match(m[2] ?? '', /response_headers_to_remove\[0\]: expected a header name/);
});

test('redirect: one action per route, a code among 301/302/303/307/308, something to change', () => {
  const p = 'servers[0].routers[0].virtual_hosts[0].routers[0]';
  assert.deepEqual(messages(withRoute({ match: { prefix: '/' }, redirect: {} })), [
    `${p}.redirect: expected at least one of "path_redirect", "host_redirect" or "scheme_redirect" (without them the redirect points at itself)`,
  ]);
  assert.deepEqual(messages(withRoute({ match: { prefix: '/' }, redirect: { path_redirect: '/x', response_code: 200, scheme_redirect: 'ftp' } })), [
    `${p}.redirect.response_code: expected one of 301, 302, 303, 307, 308, found 200`,
    `${p}.redirect.scheme_redirect: expected "http" or "https", found "ftp"`,
  ]);
  const c = parseConfig(withRoute({ match: { prefix: '/' }, redirect: { host_redirect: 'www.example.com' } }), 'c.json');
  assert.deepEqual(c.routers[0]?.virtual_hosts[0]?.routers[0]?.redirect, { response_code: 301, path_redirect: undefined, host_redirect: 'www.example.com', scheme_redirect: undefined });
});

test('header matchers: present_match, or a value; not both', () => {
  const p = 'servers[0].routers[0].virtual_hosts[0].routers[0].match.headers[0]';
  assert.deepEqual(messages(withRoute({ match: { prefix: '/', headers: [{ name: 'x', value: 'y', present_match: true }] }, route: { cluster_name: 'a' } })), [
    `${p}.present_match: expected either "present_match" or "value", found both`,
  ]);
  assert.deepEqual(messages(withRoute({ match: { prefix: '/', headers: [{ name: 'x' }] }, route: { cluster_name: 'a' } })), [
    `${p}: expected "value" (exact, or a regular expression with "regex": true) or "present_match": true, found neither`,
  ]);
});

// ── TLS ──────────────────────────────────────────────────────────────────────────────────────

function tlsConfig(tls: unknown): string {
  return JSON.stringify({
    servers: [{
      listeners: [{ name: 'l', address: '127.0.0.1:0', filter_chains: [{ tls_context: tls, filters: [{ type: 'proxy', config: { router_config_name: 'r' } }] }] }],
      routers: [{ router_config_name: 'r' }],
    }],
  });
}

test('tls_context: files read relative to the config, key matched to the certificate, names for SNI', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mosn-config-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const ssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  ssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=site.test', '-addext', 'subjectAltName=DNS:site.test,DNS:*.site.test', '-keyout', 'site.key', '-out', 'site.crt']);
  ssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'other.key']);
  const file = join(dir, 'mosn.json');
  const config: MosnConfig = parseConfig(tlsConfig({ cert_chain: 'site.crt', private_key: 'site.key', server_name: 'Alias.Test', alpn: 'http/1.1', min_version: 'TLSv1_2' }), file);
  const tls = config.listeners[0]?.filter_chains[0]?.tls_contexts?.[0];
  assert.ok(tls);
  assert.match(tls.cert_chain ?? '', /BEGIN CERTIFICATE/);
  assert.deepEqual(tls.sni_names, ['site.test', '*.site.test', 'alias.test']);
  assert.deepEqual([tls.alpn, tls.min_version, tls.cert_source], [['http/1.1'], 'TLSv1.2', join(dir, 'site.crt')]);

  const m = messages(tlsConfig({ cert_chain: 'missing.crt', private_key: 'other.key', min_version: 'tlsv1_3', max_version: 'tlsv1_2', verify_client: true }), file);
  const p = 'servers[0].listeners[0].filter_chains[0].tls_context';
  assert.deepEqual(m, [
    `${p}.cert_chain: cannot read the certificate chain file ${join(dir, 'missing.crt')}: no such file`,
    `${p}.max_version: expected a version at least min_version (TLSv1.3), found TLSv1.2`,
    `${p}.verify_client: needs "ca_cert" (the CA that signs client certificates), found none`,
  ]);
  const mismatch = messages(tlsConfig({ cert_chain: 'site.crt', private_key: 'other.key' }), file);
  assert.deepEqual(mismatch, [
    `${p}.private_key: expected the private key of the certificate in ${join(dir, 'site.crt')} (CN=site.test), found a key in ${join(dir, 'other.key')} that does not match it`,
  ]);
  const off = parseConfig(tlsConfig({ status: false, cert_chain: 'missing.crt' }), file);
  assert.equal(off.listeners[0]?.filter_chains[0]?.tls_contexts, undefined, 'status: false is plain TCP');
});

test('extend_config limits: defaults, ranges, MOSN keys not supported yet', () => {
  const listener = (extend: unknown) => JSON.stringify({
    servers: [{ listeners: [{ name: 'l', address: '127.0.0.1:0', connection_idle_timeout: '5s', filter_chains: [{ filters: [{ type: 'proxy', config: { router_config_name: 'r', extend_config: extend } }] }] }], routers: [{ router_config_name: 'r' }] }],
  });
  const c = parseConfig(listener({}), 'c.json');
  const filter = c.listeners[0]?.filter_chains[0]?.filters[0];
  assert.ok(filter?.type === 'proxy');
  assert.deepEqual(filter.config.extend_config, { max_header_size: 61_440, max_header_count: 100, header_read_timeout: 60_000, max_requests_per_connection: 0 });
  assert.equal(c.listeners[0]?.connection_idle_timeout, 5000);
  const p = 'servers[0].listeners[0].filter_chains[0].filters[0].config.extend_config';
  assert.deepEqual(messages(listener({ max_header_size: 10, http2_use_stream: true })), [
    `${p}.max_header_size: expected a number at least 1024, found 10`,
    `${p}.http2_use_stream: "http2_use_stream" is a MOSN extend_config option that MOSN.ts does not support yet`,
  ]);
});
