import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig, type RouteConfig, type RouteMatchConfig, type RouterConfig } from '@mosn/config';
import { compileRouteTable, compileRouteTables, type MatchedRoute } from '../src/router/index.js';

type MatchFields = Partial<Omit<RouteMatchConfig, 'headers'>> & { headers?: [string, string, boolean?][] };

function route(match: MatchFields, cluster: string, extra: { prefix_rewrite?: string; host_rewrite?: string } = {}): RouteConfig {
  return {
    match: {
      prefix: match.prefix,
      path: match.path,
      regex: match.regex,
      headers: (match.headers ?? []).map(([name, value, regex]) => ({ name, value, regex: regex ?? false })),
    },
    route: { cluster_name: cluster, timeout: 15_000, prefix_rewrite: extra.prefix_rewrite, host_rewrite: extra.host_rewrite },
    direct_response: undefined,
  };
}

function table(routes: RouteConfig[], domains = ['*']): ReturnType<typeof compileRouteTable> {
  const config: RouterConfig = { router_config_name: 'r', virtual_hosts: [{ name: 'vh', domains, routers: routes }] };
  return compileRouteTable(config);
}

const noHeaders = (): undefined => undefined;

/** The named fields of an action (other fields belong to other features' tests). */
function pick(action: object, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, (action as Record<string, unknown>)[k]]));
}
const headers =
  (h: Record<string, string>) =>
  (name: string): string | undefined =>
    h[name];

function cluster(m: MatchedRoute | undefined): string | undefined {
  return m?.action.kind === 'cluster' ? m.action.cluster : undefined;
}

test('prefix matches the beginning of the path', () => {
  const t = table([route({ prefix: '/api/' }, 'api')]);
  assert.equal(cluster(t.match('h', '/api/users', noHeaders)), 'api');
  assert.equal(cluster(t.match('h', '/api/', noHeaders)), 'api');
  assert.equal(t.match('h', '/api', noHeaders), undefined);
  assert.equal(t.match('h', '/other/api/', noHeaders), undefined);
});

test('prefix matching is case-sensitive', () => {
  assert.equal(table([route({ prefix: '/api' }, 'api')]).match('h', '/API', noHeaders), undefined);
});

test('path is an exact match on the path with the query string removed', () => {
  const t = table([route({ path: '/healthz' }, 'health')]);
  assert.equal(cluster(t.match('h', '/healthz', noHeaders)), 'health');
  assert.equal(cluster(t.match('h', '/healthz?verbose=1', noHeaders)), 'health');
  assert.equal(t.match('h', '/healthz/', noHeaders), undefined);
  assert.equal(t.match('h', '/healthzz', noHeaders), undefined);
  assert.equal(t.match('h', '/health', noHeaders), undefined);
});

test('regex is a full match on the path with the query string removed', () => {
  const t = table([route({ regex: '/static/.*\\.(css|js)' }, 'static')]);
  assert.equal(cluster(t.match('h', '/static/app.js', noHeaders)), 'static');
  assert.equal(cluster(t.match('h', '/static/site.css?v=3', noHeaders)), 'static');
  assert.equal(t.match('h', '/static/app.json', noHeaders), undefined, 'anchored at the end');
  assert.equal(t.match('h', '/x/static/app.js', noHeaders), undefined, 'anchored at the start');
  assert.equal(t.match('h', '/static/app?.js', noHeaders), undefined, 'the query is not part of the path');
});

test('a regex with alternation is anchored as a whole', () => {
  const t = table([route({ regex: '/a|/b' }, 'ab')]);
  assert.equal(cluster(t.match('h', '/b', noHeaders)), 'ab');
  assert.equal(t.match('h', '/a/extra', noHeaders), undefined);
  assert.equal(t.match('h', '/x/b', noHeaders), undefined);
});

test('the first matching route in order wins', () => {
  const t = table([route({ prefix: '/api/v2/' }, 'v2'), route({ prefix: '/api/' }, 'api'), route({ prefix: '/api/v2/x' }, 'never')]);
  assert.equal(cluster(t.match('h', '/api/v2/x', noHeaders)), 'v2');
  assert.equal(cluster(t.match('h', '/api/v1/x', noHeaders)), 'api');
});

test('every header matcher must match, by exact value', () => {
  const t = table([route({ prefix: '/', headers: [['x-env', 'canary'], ['x-user', 'alice']] }, 'canary'), route({ prefix: '/' }, 'stable')]);
  assert.equal(cluster(t.match('h', '/', headers({ 'x-env': 'canary', 'x-user': 'alice' }))), 'canary');
  assert.equal(cluster(t.match('h', '/', headers({ 'x-env': 'canary', 'x-user': 'bob' }))), 'stable');
  assert.equal(cluster(t.match('h', '/', headers({ 'x-env': 'Canary', 'x-user': 'alice' }))), 'stable', 'values are case-sensitive');
});

test('a missing header never matches, not even an empty value or a regex that accepts anything', () => {
  const t = table([route({ prefix: '/', headers: [['x-a', '']] }, 'empty'), route({ prefix: '/', headers: [['x-b', '.*', true]] }, 'any')]);
  assert.equal(t.match('h', '/', noHeaders), undefined);
  assert.equal(cluster(t.match('h', '/', headers({ 'x-a': '' }))), 'empty');
  assert.equal(cluster(t.match('h', '/', headers({ 'x-b': '' }))), 'any');
});

test('a regex header matcher must match the whole value', () => {
  const t = table([route({ prefix: '/', headers: [['x-version', 'v[0-9]+', true]] }, 'versioned')]);
  assert.equal(cluster(t.match('h', '/', headers({ 'x-version': 'v12' }))), 'versioned');
  assert.equal(t.match('h', '/', headers({ 'x-version': 'v12-beta' })), undefined);
  assert.equal(t.match('h', '/', headers({ 'x-version': 'av1' })), undefined);
});

test('header names are looked up lower-cased', () => {
  const seen: string[] = [];
  const t = table([route({ prefix: '/', headers: [['X-Mixed-Case', 'yes']] }, 'c')]);
  const getHeader = (name: string): string | undefined => {
    seen.push(name);
    return 'yes';
  };
  assert.equal(cluster(t.match('h', '/', getHeader)), 'c');
  assert.deepStrictEqual(seen, ['x-mixed-case']);
});

test('the virtual host is chosen by authority before any route is tried', () => {
  const config: RouterConfig = {
    router_config_name: 'r',
    virtual_hosts: [
      { name: 'api', domains: ['api.example.com'], routers: [route({ prefix: '/' }, 'api')] },
      { name: 'wild', domains: ['*.example.com'], routers: [route({ prefix: '/' }, 'wild')] },
      { name: 'default', domains: ['*'], routers: [route({ prefix: '/only' }, 'default')] },
    ],
  };
  const t = compileRouteTable(config);
  assert.equal(t.match('API.example.com:8080', '/x', noHeaders)?.virtualHost, 'api');
  assert.equal(t.match('www.example.com', '/x', noHeaders)?.virtualHost, 'wild');
  assert.equal(t.match('other.org', '/only', noHeaders)?.virtualHost, 'default');
  // No fallthrough to another virtual host when the chosen one has no matching route.
  assert.equal(t.match('other.org', '/x', noHeaders), undefined);
});

test('no virtual host for the authority means no route', () => {
  const t = table([route({ prefix: '/' }, 'c')], ['a.com']);
  assert.equal(t.match('b.com', '/', noHeaders), undefined);
  assert.equal(t.match(undefined, '/', noHeaders), undefined);
});

test('the matched route is the same object every time, with its index and action', () => {
  const t = table([route({ path: '/a' }, 'a'), route({ prefix: '/b/' }, 'b', { prefix_rewrite: '/', host_rewrite: 'b.internal' })]);
  const first = t.match('h', '/b/x?q=1', noHeaders);
  assert.ok(first);
  assert.equal(t.match('h', '/b/y', noHeaders), first);
  assert.equal(first.index, 1);
  assert.deepStrictEqual(pick(first.action, ['kind', 'cluster', 'timeoutMs', 'hostRewrite', 'retry', 'headers']), {
    kind: 'cluster',
    cluster: 'b',
    timeoutMs: 15_000,
    hostRewrite: 'b.internal',
    retry: undefined,
    headers: undefined,
  });
  assert.equal(first.rewritePath('/b/x?q=1'), '/x?q=1');
  assert.ok(Object.isFrozen(first) && Object.isFrozen(first.action));
  assert.equal(t.match('h', '/a', noHeaders)?.rewritePath('/a?z'), '/a?z');
});

test('a direct response route answers with its status and body', () => {
  const t = table([{ match: { prefix: '/', path: undefined, regex: undefined, headers: [] }, route: undefined, direct_response: { status: 503, body: 'down\n' } }]);
  assert.deepStrictEqual(t.match('h', '/anything', noHeaders)?.action, { kind: 'direct', status: 503, body: 'down\n', responseLines: '' });
});

test('a config the loader accepts compiles, keyed by router_config_name', () => {
  const config = parseConfig(
    [
      'servers:',
      '  - routers:',
      '      - router_config_name: web',
      '        virtual_hosts:',
      '          - { name: api, domains: [API.Example.com], routers: [{ match: { prefix: /api/ }, route: { cluster_name: c, prefix_rewrite: /, timeout: 2s } }] }',
      '          - { name: all, domains: ["*"], routers: [{ match: { regex: "/(a|b)", headers: [{ name: X-Tag, value: "t[0-9]", regex: true }] }, direct_response: { status: 204 } }] }',
      '      - router_config_name: empty',
      'cluster_manager: { clusters: [{ name: c }] }',
    ].join('\n'),
    'router.yaml',
  );
  const tables = compileRouteTables(config.routers);
  assert.deepStrictEqual([...tables.keys()], ['web', 'empty']);
  const web = tables.get('web');
  const hit = web?.match('api.example.com', '/api/users?x=1', noHeaders);
  assert.deepStrictEqual(hit === undefined ? undefined : pick(hit.action, ['kind', 'cluster', 'timeoutMs', 'hostRewrite']), {
    kind: 'cluster',
    cluster: 'c',
    timeoutMs: 2_000,
    hostRewrite: undefined,
  });
  assert.equal(hit?.rewritePath('/api/users?x=1'), '/users?x=1');
  assert.equal(web?.match('x.org', '/b?q', headers({ 'x-tag': 't7' }))?.action.kind, 'direct');
  assert.equal(tables.get('empty')?.match('x.org', '/', noHeaders), undefined);
});

test('a hand-built config with an invalid regex fails at compile time with MOSN_ERR_WORKER_CONFIG', () => {
  assert.throws(() => table([route({ regex: '(' }, 'c')]), { code: 'MOSN_ERR_WORKER_CONFIG', message: /virtual host "vh", route 0: invalid regular expression "\("/ });
  assert.throws(() => table([route({ prefix: '/', headers: [['x', '[', true]] }, 'c')]), { code: 'MOSN_ERR_WORKER_CONFIG' });
});
