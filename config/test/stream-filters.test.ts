import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseConfig } from '../src/index.js';

// One HTTP listener with the given YAML lines under it, and two plugins to name.
function config(listenerLines: string): string {
  return `servers:
  - routers:
      - router_config_name: r
        virtual_hosts: [{ name: v, domains: ['*'], routers: [{ match: { prefix: / }, route: { cluster_name: c } }] }]
    listeners:
      - name: l
        address: 127.0.0.1:8080
        filter_chains: [{ filters: [{ type: proxy, config: { router_config_name: r } }] }]
${listenerLines}
cluster_manager:
  clusters: [{ name: c, hosts: [{ address: 127.0.0.1:9000 }] }]
plugins:
  - { name: limits, command: node }
  - { name: access-log, command: node }
`;
}

function failure(text: string): ConfigError {
  try {
    parseConfig(text, '/etc/mosn/mosn.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

test('rate_limit: Envoy actions become typed actions; failure mode open, 20ms, 429 by default', () => {
  const parsed = parseConfig(
    config(`        stream_filters:
          - type: rate_limit
            config:
              plugin: limits
              domain: edge
              rate_limits:
                - actions: [{ remote_address: {} }]
                - actions: [{ generic_key: { descriptor_value: api } }, { request_headers: { header_name: X-Team, descriptor_key: team } }, { destination_cluster: {} }]`),
    '/etc/mosn/mosn.yaml',
  );
  const filter = parsed.listeners[0]?.stream_filters[0];
  assert.deepEqual(filter, {
    type: 'rate_limit',
    config: {
      plugin: 'limits',
      domain: 'edge',
      rate_limits: [
        { actions: [{ type: 'remote_address' }] },
        {
          actions: [
            { type: 'generic_key', descriptor_key: 'generic_key', descriptor_value: 'api' },
            { type: 'request_headers', header_name: 'x-team', descriptor_key: 'team', skip_if_absent: false },
            { type: 'destination_cluster' },
          ],
        },
      ],
      failure_mode: 'open',
      timeout: 20,
      status: 429,
      failure_status: 503,
    },
  });
});

test('a rate limit action with no or two kinds, or an unknown key, says what is expected', () => {
  const err = failure(
    config(`        stream_filters:
          - type: rate_limit
            config:
              plugin: limits
              domain: edge
              rate_limits: [{ actions: [{}, { remote_address: {}, generic_key: { descriptor_value: x } }, { request_headers: { header_name: a } }] }]`),
  );
  const text = err.message;
  assert.match(text, /rate_limits\[0\]\.actions\[0\]: expected an object with exactly one of "remote_address", "destination_cluster", "generic_key", "request_headers", found an empty object/);
  assert.match(text, /actions\[1\]: expected an object with exactly one of .* found keys "remote_address", "generic_key"/);
  assert.match(text, /actions\[2\]\.request_headers\.descriptor_key: /);
});

test('local_rate_limit refills completely by default; a zero interval is refused', () => {
  const parsed = parseConfig(
    config(`        stream_filters: [{ type: local_rate_limit, config: { max_tokens: 10, fill_interval: 1s } }]`),
    '/etc/mosn/mosn.yaml',
  );
  assert.deepEqual(parsed.listeners[0]?.stream_filters[0], { type: 'local_rate_limit', config: { max_tokens: 10, tokens_per_fill: 10, fill_interval: 1000, status: 429 } });
  assert.match(failure(config(`        stream_filters: [{ type: local_rate_limit, config: { max_tokens: 10, fill_interval: 0 } }]`)).message, /fill_interval: expected a fill_interval of at least 1ms/);
});

test('access_logs with an access_log filter: formats are checked and the headers they print are listed', () => {
  const parsed = parseConfig(
    config(`        stream_filters: [{ type: access_log, config: { plugin: access-log } }]
        access_logs:
          - { log_path: /var/log/mosn/access.log, log_format: '%start_time% %request_method% %REQ.User-Agent% %RESP.content-type% %response_code%' }
          - { log_path: /var/log/mosn/access.json }`),
    '/etc/mosn/mosn.yaml',
  );
  const listener = parsed.listeners[0];
  assert.deepEqual(listener?.stream_filters[0], { type: 'access_log', config: { plugin: 'access-log', batch_size: 16_000, flush_interval: 500, queue_size: 40_000 } });
  assert.deepEqual(listener?.access_logs, [
    {
      log_path: '/var/log/mosn/access.log',
      log_format: '%start_time% %request_method% %REQ.User-Agent% %RESP.content-type% %response_code%',
      request_headers: ['user-agent'],
      response_headers: ['content-type'],
    },
    { log_path: '/var/log/mosn/access.json', log_format: undefined, request_headers: [], response_headers: [] },
  ]);
});

test('a log format with an unknown variable or an unclosed % is an error at its path', () => {
  const err = failure(
    config(`        stream_filters: [{ type: access_log, config: { plugin: access-log } }]
        access_logs: [{ log_path: /a, log_format: '%start_tim% x' }, { log_path: /b, log_format: '%duration' }]`),
  );
  assert.match(err.message, /access_logs\[0\]\.log_format: expected one of %start_time%, .* at column 1, found %start_tim%/);
  assert.match(err.message, /access_logs\[1\]\.log_format: expected a closing "%" for the variable opened at column 1, found the end of the format/);
});

test('access_logs need an access_log filter naming the plugin, and the filter needs access_logs', () => {
  assert.match(failure(config(`        access_logs: [{ log_path: /a }]`)).message, /listeners\[0\]\.access_logs: expected an "access_log" stream filter naming the logging plugin/);
  assert.match(
    failure(config(`        stream_filters: [{ type: access_log, config: { plugin: access-log } }]`)).message,
    /stream_filters\[0\]: expected the listener to have "access_logs"/,
  );
  assert.match(
    failure(config(`        stream_filters: [{ type: access_log, config: { plugin: nolog } }]\n        access_logs: [{ log_path: /a }]`)).message,
    /stream_filters\[0\]\.config\.plugin/,
  );
});

test('a tcp_proxy pointed at a cluster with tls_context is refused (it would send plain text)', () => {
  const text = `servers:
  - listeners:
      - name: t
        address: 127.0.0.1:9443
        filter_chains: [{ filters: [{ type: tcp_proxy, config: { cluster: secure } }] }]
cluster_manager:
  clusters: [{ name: secure, hosts: [{ address: 127.0.0.1:9000 }], tls_context: { insecure_skip: true } }]
`;
  assert.match(failure(text).message, /filters\[0\]\.config\.cluster: tcp_proxy does not originate TLS yet: cluster "secure" has a tls_context/);
});
