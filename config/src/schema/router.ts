// servers[0].routers[]: router configs, each a list of virtual hosts (chosen by the request's
// host) holding an ordered list of routes (chosen by path and headers; the first match wins).

import { z } from 'zod';
import type {
  DirectResponseConfig,
  HeaderOptionsConfig,
  HeaderMatcherConfig,
  RouteActionConfig,
  RouteConfig,
  RouteMatchConfig,
  RouterConfig,
  VirtualHostConfig,
} from '../types.js';
import { describe, duration, isRecord, mosnObject, nonEmptyString, regexSource } from './common.js';
import { headerOptionsShape, redirect, regexRewrite, retryPolicy, weightedClusters } from './route-options.js';
import { hashPolicy } from './hash-policy.js';

/** Envoy's and MOSN's default route timeout. */
export const DEFAULT_ROUTE_TIMEOUT_MS = 15_000;

// "*", an exact name, "*suffix" or "prefix*": one wildcard, at one end (Envoy's domain rules).
const domain = nonEmptyString.superRefine((d, ctx) => {
  const star = d.indexOf('*');
  const ok = star < 0 || d === '*' || (d.lastIndexOf('*') === star && (star === 0 || star === d.length - 1));
  if (!ok) {
    ctx.addIssue({
      code: 'custom',
      message: `expected "*", a host name, "*.example.com" or "example.*" (one "*", at the start or the end), found ${describe(d)}`,
    });
  }
});

const pathLike = (what: string) =>
  z.string().superRefine((p, ctx) => {
    // Origin-form request targets always start with "/": anything else could never match.
    if (!p.startsWith('/')) ctx.addIssue({ code: 'custom', message: `expected a ${what} starting with "/", found ${describe(p)}` });
  });

const headerMatcher = mosnObject('headerMatcher', {
  name: nonEmptyString,
  value: z.string().optional(),
  regex: z.boolean().default(false),
  // Envoy's name: the header only has to be present.
  present_match: z.boolean().optional(),
})
  .superRefine((h, ctx) => {
    if (h.present_match === true) {
      if (h.value !== undefined || h.regex) {
        ctx.addIssue({ code: 'custom', path: ['present_match'], message: `expected either "present_match" or "value"${h.regex ? ' and "regex"' : ''}, found both` });
      }
      return;
    }
    if (h.value === undefined) {
      ctx.addIssue({ code: 'custom', message: 'expected "value" (exact, or a regular expression with "regex": true) or "present_match": true, found neither' });
      return;
    }
    if (h.regex) {
      const r = regexSource.safeParse(h.value);
      if (!r.success) ctx.addIssue({ code: 'custom', path: ['value'], message: r.error.issues[0]?.message ?? 'invalid regular expression' });
    }
  })
  .transform(
    (h): HeaderMatcherConfig =>
      h.present_match === true
        ? { name: h.name.toLowerCase(), value: '', regex: false, present_match: true }
        : { name: h.name.toLowerCase(), value: h.value ?? '', regex: h.regex },
  );

const routeMatch = mosnObject('routeMatch', {
  prefix: pathLike('prefix').optional(),
  path: pathLike('path').optional(),
  regex: regexSource.optional(),
  headers: z.array(headerMatcher).default([]),
})
  .superRefine(
    (m, ctx) => {
      const set = (['prefix', 'path', 'regex'] as const).filter((k) => m[k] !== undefined);
      if (set.length === 0) ctx.addIssue({ code: 'custom', message: 'expected one of "prefix", "path" or "regex", found none' });
      if (set.length > 1) {
        ctx.addIssue({ code: 'custom', path: [set[1] ?? 'path'], message: `expected only one of "prefix", "path" or "regex", found ${set.map((k) => `"${k}"`).join(' and ')}` });
      }
    },
    { when: (payload) => isRecord(payload.value) },
  )
  .transform(
    (m): RouteMatchConfig => ({ prefix: m.prefix, path: m.path, regex: m.regex, headers: m.headers }),
  );

/** Keys of which at most one may be set, and (when `required`) one must. */
function exclusive(value: Record<string, unknown>, keys: readonly string[], ctx: z.core.$RefinementCtx, required: boolean): void {
  const set = keys.filter((k) => value[k] !== undefined && value[k] !== false);
  const names = keys.map((k) => `"${k}"`).join(', ').replace(/, ([^,]*)$/, ' or $1');
  if (set.length === 0 && required) ctx.addIssue({ code: 'custom', message: `expected one of ${names}, found none` });
  if (set.length > 1) {
    ctx.addIssue({ code: 'custom', path: [set[1] ?? ''], message: `expected only one of ${names}, found ${set.map((k) => `"${k}"`).join(' and ')}` });
  }
}

const routeAction = mosnObject('routeAction', {
  cluster_name: nonEmptyString.optional(),
  cluster_header: nonEmptyString.optional(),
  weighted_clusters: weightedClusters.optional(),
  timeout: duration().default(DEFAULT_ROUTE_TIMEOUT_MS),
  // Envoy's route idle_timeout (MOSN has none): no byte either way for this long ends the exchange.
  idle_timeout: duration().optional(),
  retry_policy: retryPolicy.optional(),
  prefix_rewrite: z.string().optional(),
  regex_rewrite: regexRewrite.optional(),
  host_rewrite: nonEmptyString.optional(),
  auto_host_rewrite: z.boolean().optional(),
  hash_policy: hashPolicy.optional(),
  ...headerOptionsShape,
})
  .superRefine(
    (a, ctx) => {
      exclusive(a, ['cluster_name', 'cluster_header', 'weighted_clusters'], ctx, true);
      exclusive(a, ['prefix_rewrite', 'regex_rewrite'], ctx, false);
      exclusive(a, ['host_rewrite', 'auto_host_rewrite'], ctx, false);
    },
    { when: (payload) => isRecord(payload.value) },
  )
  .transform(
    (a): RouteActionConfig => ({
      cluster_name: a.cluster_name,
      timeout: a.timeout,
      prefix_rewrite: a.prefix_rewrite,
      host_rewrite: a.host_rewrite,
      // The newer options are set only when configured, so that configs without them compare equal to before.
      ...defined({
        cluster_header: a.cluster_header?.toLowerCase(),
        weighted_clusters: a.weighted_clusters,
        idle_timeout: a.idle_timeout,
        retry_policy: a.retry_policy,
        regex_rewrite: a.regex_rewrite,
        auto_host_rewrite: a.auto_host_rewrite,
      }),
      ...(a.hash_policy === undefined ? {} : { hash_policy: a.hash_policy }),
      ...headerOptions(a),
    }),
  );

/** `o` without its undefined values. */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function headerOptions(o: HeaderOptionsConfig): HeaderOptionsConfig {
  return defined({
    request_headers_to_add: o.request_headers_to_add,
    request_headers_to_remove: o.request_headers_to_remove,
    response_headers_to_add: o.response_headers_to_add,
    response_headers_to_remove: o.response_headers_to_remove,
  });
}

const directResponse = mosnObject('directResponse', {
  status: z.number().int().min(100).max(599),
  body: z.string().optional(),
}).transform((d): DirectResponseConfig => ({ status: d.status, body: d.body }));

const route = mosnObject('route', {
  match: routeMatch,
  route: routeAction.optional(),
  direct_response: directResponse.optional(),
  redirect: redirect.optional(),
})
  .superRefine(
    (r, ctx) => {
      exclusive(r, ['route', 'direct_response', 'redirect'], ctx, true);
      // Envoy's rule: the matched prefix (or whole path) is what gets replaced; a regex match has
      // no such part. Values are read defensively: this also runs when other fields failed.
      const rewrite: unknown = isRecord(r.route) ? r.route['prefix_rewrite'] : undefined;
      const regex: unknown = isRecord(r.match) ? r.match['regex'] : undefined;
      if (rewrite !== undefined && regex !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['route', 'prefix_rewrite'],
          message: 'prefix_rewrite needs a "prefix" or "path" match, found a "regex" match',
        });
      }
    },
    { when: (payload) => isRecord(payload.value) },
  )
  .transform((r): RouteConfig => ({ match: r.match, route: r.route, direct_response: r.direct_response, ...defined({ redirect: r.redirect }) }));

const virtualHost = mosnObject('virtualHost', {
  name: nonEmptyString,
  domains: z.array(domain).min(1),
  routers: z.array(route).default([]),
  ...headerOptionsShape,
}).transform(
  (v): VirtualHostConfig => ({
    name: v.name,
    domains: v.domains.map((d) => d.toLowerCase()),
    routers: v.routers,
    ...headerOptions(v),
  }),
);

export const routerConfigSchema = mosnObject('routerConfig', {
  router_config_name: nonEmptyString,
  virtual_hosts: z.array(virtualHost).default([]),
  ...headerOptionsShape,
}).transform(
  (r): RouterConfig => ({ router_config_name: r.router_config_name, virtual_hosts: r.virtual_hosts, ...headerOptions(r) }),
);
