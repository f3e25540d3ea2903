// servers[0].routers[]: router configs, each a list of virtual hosts (chosen by the request's
// host) holding an ordered list of routes (chosen by path and headers; the first match wins).

import { z } from 'zod';
import type {
  DirectResponseConfig,
  HeaderMatcherConfig,
  RouteActionConfig,
  RouteConfig,
  RouteMatchConfig,
  RouterConfig,
  VirtualHostConfig,
} from '../types.js';
import { describe, duration, isRecord, mosnObject, nonEmptyString, regexSource } from './common.js';

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
  value: z.string(),
  regex: z.boolean().default(false),
})
  .superRefine((h, ctx) => {
    if (h.regex) {
      const r = regexSource.safeParse(h.value);
      if (!r.success) ctx.addIssue({ code: 'custom', path: ['value'], message: r.error.issues[0]?.message ?? 'invalid regular expression' });
    }
  })
  .transform((h): HeaderMatcherConfig => ({ name: h.name.toLowerCase(), value: h.value, regex: h.regex }));

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

const routeAction = mosnObject('routeAction', {
  cluster_name: nonEmptyString,
  timeout: duration().default(DEFAULT_ROUTE_TIMEOUT_MS),
  prefix_rewrite: z.string().optional(),
  host_rewrite: nonEmptyString.optional(),
}).transform(
  (a): RouteActionConfig => ({
    cluster_name: a.cluster_name,
    timeout: a.timeout,
    prefix_rewrite: a.prefix_rewrite,
    host_rewrite: a.host_rewrite,
  }),
);

const directResponse = mosnObject('directResponse', {
  status: z.number().int().min(100).max(599),
  body: z.string().optional(),
}).transform((d): DirectResponseConfig => ({ status: d.status, body: d.body }));

const route = mosnObject('route', {
  match: routeMatch,
  route: routeAction.optional(),
  direct_response: directResponse.optional(),
})
  .superRefine(
    (r, ctx) => {
      const hasRoute = r.route !== undefined;
      if (hasRoute === (r.direct_response !== undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: hasRoute ? ['direct_response'] : [],
          message: hasRoute
            ? 'expected either "route" or "direct_response", found both'
            : 'expected "route" or "direct_response", found neither',
        });
      }
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
  .transform((r): RouteConfig => ({ match: r.match, route: r.route, direct_response: r.direct_response }));

const virtualHost = mosnObject('virtualHost', {
  name: nonEmptyString,
  domains: z.array(domain).min(1),
  routers: z.array(route).default([]),
}).transform(
  (v): VirtualHostConfig => ({
    name: v.name,
    domains: v.domains.map((d) => d.toLowerCase()),
    routers: v.routers,
  }),
);

export const routerConfigSchema = mosnObject('routerConfig', {
  router_config_name: nonEmptyString,
  virtual_hosts: z.array(virtualHost).default([]),
}).transform(
  (r): RouterConfig => ({ router_config_name: r.router_config_name, virtual_hosts: r.virtual_hosts }),
);
