import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseConfig } from '../src/index.js';

function config(cluster: Record<string, unknown>, route: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      servers: [
        {
          listeners: [],
          routers: [{ router_config_name: 'r', virtual_hosts: [{ name: 'v', domains: ['*'], routers: [{ match: { prefix: '/' }, route: { cluster_name: 'c', ...route } }] }] }],
        },
      ],
      cluster_manager: { clusters: [{ name: 'c', hosts: [{ address: '127.0.0.1:9000' }], ...cluster }] },
    },
    null,
    2,
  );
}

function messages(text: string): string[] {
  try {
    parseConfig(text, 'c.json');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail('expected the config to be rejected');
}

test('every supported lb_type loads; MOSN\'s others say "not supported yet"', () => {
  for (const lb of ['LB_ROUNDROBIN', 'LB_WEIGHTED_ROUNDROBIN', 'LB_RANDOM', 'LB_LEAST_REQUEST', 'LB_MAGLEV']) {
    assert.equal(parseConfig(config({ lb_type: lb }), 'c.json').clusters[0]?.lb_type, lb);
  }
  assert.match(messages(config({ lb_type: 'LB_PEAK_EWMA' }))[0] ?? '', /"LB_PEAK_EWMA" is a MOSN load balancer type that MOSN.ts does not support yet/);
});

test('health_check: MOSN\'s shape with defaults; an Http1 check needs http_check_config', () => {
  const c = parseConfig(
    config({ health_check: { protocol: 'Http1', interval: '2s', check_config: { http_check_config: { path: '/status', expected_statuses: [200, 204] } } } }),
    'c.json',
  ).clusters[0];
  assert.deepEqual(c?.health_check, {
    protocol: 'Http1',
    timeout: 1000,
    interval: 2000,
    interval_jitter: 0,
    healthy_threshold: 1,
    unhealthy_threshold: 1,
    service_name: undefined,
    http_check_config: { path: '/status', port: undefined, expected_statuses: [200, 204] },
  });
  const tcp = parseConfig(config({ health_check: { timeout: '100ms' } }), 'c.json').clusters[0];
  assert.equal(tcp?.health_check?.protocol, undefined);
  assert.equal(tcp?.health_check?.timeout, 100);
  assert.deepEqual(messages(config({ health_check: { protocol: 'Http1' } })), [
    'cluster_manager.clusters[0].health_check.protocol: an "Http1" health check needs check_config.http_check_config with a "path", found none (MOSN would fall back to a TCP connect)',
  ]);
  assert.deepEqual(messages(config({ health_check: { check_config: { http_check_config: { path: 'status' } } } })), [
    'cluster_manager.clusters[0].health_check.check_config.http_check_config: http_check_config applies to protocol "Http1"; without "protocol" the check is a TCP connect',
    'cluster_manager.clusters[0].health_check.check_config.http_check_config.path: expected a path starting with "/", found "status"',
  ]);
  assert.match(messages(config({ health_check: { event_log_path: '/tmp/x' } }))[0] ?? '', /"event_log_path" is a MOSN health check option that MOSN.ts does not support yet/);
});

test('circuit_breakers: MOSN\'s list of thresholds, one entry, omitted limits are 0 (none)', () => {
  const c = parseConfig(config({ circuit_breakers: [{ max_connections: 10, max_requests: 100 }] }), 'c.json').clusters[0];
  assert.deepEqual(c?.circuit_breakers, { max_connections: 10, max_pending_requests: 0, max_requests: 100, max_retries: 0 });
  assert.deepEqual(messages(config({ circuit_breakers: [{}, { max_connections: 1 }] })), [
    'cluster_manager.clusters[0].circuit_breakers[1]: more than one set of circuit breaker thresholds (priorities) is not supported yet',
  ]);
  assert.match(messages(config({ circuit_breakers: [{ max_connections: -1 }] }))[0] ?? '', /max_connections: expected a number at least 0, found -1/);
});

test('outlier_detection: Envoy\'s names and defaults', () => {
  const c = parseConfig(config({ outlier_detection: { consecutive_5xx: 2 } }), 'c.json').clusters[0];
  assert.deepEqual(c?.outlier_detection, { consecutive_5xx: 2, base_ejection_time: 30_000, max_ejection_time: 300_000, max_ejection_percent: 10, interval: 10_000 });
  assert.match(messages(config({ outlier_detection: { max_ejection_percent: 120 } }))[0] ?? '', /max_ejection_percent: expected a number at most 100/);
});

test('a cluster without the new options compares equal to before (no new keys)', () => {
  const c = parseConfig(config({}), 'c.json').clusters[0];
  assert.deepEqual(Object.keys(c ?? {}).sort(), ['connect_timeout', 'hosts', 'idle_timeout', 'lb_type', 'max_request_per_conn', 'name', 'type']);
});

test('hash_policy on the route: header, cookie, source_ip; needs a hashing cluster', () => {
  const cfg = parseConfig(config({ lb_type: 'LB_MAGLEV' }, { hash_policy: [{ header: { key: 'X-User' } }, { cookie: { name: 'sid' } }, { source_ip: {} }] }), 'c.json');
  assert.deepEqual(cfg.routers[0]?.virtual_hosts[0]?.routers[0]?.route?.hash_policy, [{ header: { key: 'x-user' } }, { cookie: { name: 'sid' } }, { source_ip: {} }]);
  assert.deepEqual(messages(config({ lb_type: 'LB_LEAST_REQUEST' }, { hash_policy: [{ source_ip: {} }] })), [
    'servers[0].routers[0].virtual_hosts[0].routers[0].route.hash_policy: hash_policy needs a cluster whose lb_type hashes ("LB_MAGLEV"); cluster "c" has lb_type "LB_LEAST_REQUEST"',
  ]);
  assert.deepEqual(messages(config({}, { hash_policy: [{ source_ip: {} }] })).length, 1, 'the default LB_ROUNDROBIN does not hash');
  assert.deepEqual(messages(config({ lb_type: 'LB_MAGLEV' }, { hash_policy: [{}] })), [
    'servers[0].routers[0].virtual_hosts[0].routers[0].route.hash_policy[0]: expected one of "header", "cookie" or "source_ip", found none',
  ]);
  assert.match(messages(config({ lb_type: 'LB_MAGLEV' }, { hash_policy: [{ cookie: { name: 's', ttl: '1h' } }] }))[0] ?? '', /"ttl" is a MOSN cookie hash policy option that MOSN.ts does not support yet/);
  // An empty list is no policy.
  assert.equal(parseConfig(config({}, { hash_policy: [] }), 'c.json').routers[0]?.virtual_hosts[0]?.routers[0]?.route?.hash_policy, undefined);
});
