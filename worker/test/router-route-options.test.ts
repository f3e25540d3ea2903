import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RouteConfig, RouterConfig } from '@mosn/config';
import { RequestHead, parseRequestHead } from '../src/codec/http1/request-parser.js';
import { listenerLimits, DEFAULT_HTTP_LIMITS } from '../src/codec/http1/limits.js';
import { matchServerName } from '../src/listener/tls-termination.js';
import { compileHeaderMutation } from '../src/router/header-mutation.js';
import { compileRegexRewrite } from '../src/router/path-rewrite.js';
import { redirectLocation } from '../src/router/redirect.js';
import { RetryPolicy } from '../src/router/retry-policy.js';
import { compileRouteTable } from '../src/router/index.js';
import type { RedirectAction } from '../src/router/types.js';
import { WeightedClusterPicker } from '../src/router/weighted-clusters.js';
import { httpListener } from './helpers/config.js';

test('weighted clusters: exact proportions over each cycle, interleaved, zero weights never picked', () => {
  const p = new WeightedClusterPicker([{ name: 'a', weight: 2 }, { name: 'b', weight: 1 }, { name: 'z', weight: 0 }]);
  const picks = Array.from({ length: 6 }, () => p.pick());
  assert.deepEqual(picks, ['a', 'b', 'a', 'a', 'b', 'a']);
  assert.equal(new WeightedClusterPicker([{ name: 'only', weight: 5 }]).pick(), 'only');
});

test('header options: removals apply to received fields, append false replaces, the most specific level wins', () => {
  const route = { request_headers_to_add: [{ key: 'X-Level', value: 'route', append: false }], response_headers_to_remove: ['Server'] };
  const vhost = { request_headers_to_add: [{ key: 'x-level', value: 'vhost', append: false }, { key: 'x-v', value: '1', append: true }], request_headers_to_remove: ['cookie'] };
  const router = { response_headers_to_add: [{ key: 'x-r', value: '2', append: true }] };
  const m = compileHeaderMutation([route, vhost, router]);
  assert.ok(m);
  assert.deepEqual([...m.requestDrop].sort(), ['cookie', 'x-level']);
  assert.equal(m.requestLines, 'X-Level: route\r\nx-v: 1\r\n');
  assert.deepEqual(m.responseDrop, ['server']);
  assert.equal(m.responseLines, 'x-r: 2\r\n');
  assert.equal(compileHeaderMutation([undefined, {}, { request_headers_to_add: [] }]), undefined, 'nothing to do: nothing per request');
});

test('regex_rewrite replaces every match in the path and keeps the query', () => {
  const rw = compileRegexRewrite({ regex: '/v([0-9]+)/', substitution: '/version-$1/' });
  assert.equal(rw('/v1/a/v2/b?q=/v3/'), '/version-1/a/version-2/b?q=/v3/');
  assert.equal(rw('/none'), '/none');
});

test('redirect Location: swapped parts, kept query, port dropped on a scheme change', () => {
  const req = new RequestHead();
  assert.equal(parseRequestHead('GET /a/b?x=1 HTTP/1.1\r\nHost: shop.example:8080\r\n\r\n', req, 100), 0);
  const action = (o: Partial<RedirectAction>): RedirectAction => ({ kind: 'redirect', status: 301, scheme: undefined, host: undefined, path: undefined, responseLines: '', ...o });
  assert.equal(redirectLocation(action({ path: '/new' }), req, false), 'http://shop.example:8080/new?x=1');
  assert.equal(redirectLocation(action({ path: '/new?y=2' }), req, false), 'http://shop.example:8080/new?y=2');
  assert.equal(redirectLocation(action({ scheme: 'https' }), req, false), 'https://shop.example/a/b?x=1');
  assert.equal(redirectLocation(action({ scheme: 'https' }), req, true), 'https://shop.example:8080/a/b?x=1');
  assert.equal(redirectLocation(action({ host: 'www.example' }), req, true), 'https://www.example/a/b?x=1');
});

test('retry policy: listed statuses, else any 5xx (MOSN), only with retry_on; resets only for idempotent methods', () => {
  const listed = new RetryPolicy({ retry_on: true, num_retries: 2, retry_timeout: 0, status_codes: [503] });
  assert.deepEqual([listed.retriesStatus(503), listed.retriesStatus(500), listed.retriesStatus(404)], [true, false, false]);
  const any5xx = new RetryPolicy({ retry_on: true, num_retries: 1, retry_timeout: 0, status_codes: [] });
  assert.deepEqual([any5xx.retriesStatus(500), any5xx.retriesStatus(504), any5xx.retriesStatus(429)], [true, true, false]);
  const off = new RetryPolicy({ retry_on: false, num_retries: 1, retry_timeout: 0, status_codes: [] });
  assert.equal(off.retriesStatus(503), false);
  assert.equal(off.retriesAfterSend('GET'), false);
  assert.deepEqual([any5xx.retriesAfterSend('GET'), any5xx.retriesAfterSend('PUT'), any5xx.retriesAfterSend('POST')], [true, true, false]);
});

test('header matchers: present_match matches any value, a missing header never matches', () => {
  const route: RouteConfig = {
    match: { prefix: '/', path: undefined, regex: undefined, headers: [{ name: 'x-debug', value: '', regex: false, present_match: true }] },
    route: { cluster_name: 'c', timeout: 1000, prefix_rewrite: undefined, host_rewrite: undefined },
    direct_response: undefined,
  };
  const config: RouterConfig = { router_config_name: 'r', virtual_hosts: [{ name: 'v', domains: ['*'], routers: [route] }] };
  const t = compileRouteTable(config);
  assert.ok(t.match('h', '/', (n) => (n === 'x-debug' ? '' : undefined)));
  assert.ok(t.match('h', '/', (n) => (n === 'x-debug' ? 'anything' : undefined)));
  assert.equal(t.match('h', '/', () => undefined), undefined);
});

test('listener limits: extend_config and connection_idle_timeout override the worker\'s, nothing configured keeps them', () => {
  const plain = httpListener('l', 'r');
  assert.equal(listenerLimits(DEFAULT_HTTP_LIMITS, plain), DEFAULT_HTTP_LIMITS);
  const filter = plain.filter_chains[0]?.filters[0];
  assert.ok(filter?.type === 'proxy');
  const configured = {
    ...plain,
    connection_idle_timeout: 0,
    filter_chains: [{ filters: [{ ...filter, config: { ...filter.config, extend_config: { max_header_size: 2048, max_header_count: 10, header_read_timeout: 500, max_requests_per_connection: 3 } } }] }],
  };
  const limits = listenerLimits(DEFAULT_HTTP_LIMITS, configured);
  assert.deepEqual(
    [limits.maxRequestHeadBytes, limits.maxRequestHeaders, limits.headerTimeoutMs, limits.maxRequestsPerConnection, limits.keepAliveTimeoutMs],
    [2048, 10, 500, 3, 2_147_483_647],
  );
});

test('SNI: exact name first, then "*." wildcards label by label, case and trailing dot ignored', () => {
  const names = new Map([['a.test', 'A'], ['*.b.test', 'B'], ['*.test', 'T']]);
  assert.equal(matchServerName(names, 'A.TEST.'), 'A');
  assert.equal(matchServerName(names, 'x.b.test'), 'B');
  assert.equal(matchServerName(names, 'x.y.b.test'), 'B');
  assert.equal(matchServerName(names, 'c.test'), 'T');
  assert.equal(matchServerName(names, 'other.org'), undefined);
});
