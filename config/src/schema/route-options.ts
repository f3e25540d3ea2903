// The parts of a route beyond match → cluster, in MOSN's v2 shapes: retry_policy,
// weighted_clusters, regex_rewrite, redirect, and the header options
// (request/response_headers_to_add/remove) that a route action, a virtual host and a router config
// can each carry.

import { z } from 'zod';
import type { HeaderValueOptionConfig, RedirectConfig, RegexRewriteConfig, RetryPolicyConfig, WeightedClusterConfig } from '../types.js';
import { describe, duration, mosnObject, nonEmptyString, regexSource } from './common.js';

/** Most retries a route may ask for (each one may open a connection to another host). */
export const MAX_NUM_RETRIES = 10;
export const DEFAULT_NUM_RETRIES = 1;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Fields whose meaning the proxy owns: framing, hop-by-hop, Host (host_rewrite changes it).
const PROXY_OWNED = new Set([
  'host', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'keep-alive', 'te', 'trailer',
  'proxy-connection',
]);
// MOSN's header formatters ("%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%", …).
const MOSN_VARIABLE = /%[A-Z][A-Z0-9_]*(\([^)]*\))?%/;

const headerName = nonEmptyString.superRefine((name, ctx) => {
  if (!TOKEN.test(name)) {
    ctx.addIssue({ code: 'custom', message: `expected a header name (letters, digits and !#$%&'*+-.^_\`|~), found ${describe(name)}` });
  } else if (PROXY_OWNED.has(name.toLowerCase())) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a header the proxy does not manage itself, found ${describe(name)} (framing, hop-by-hop and Host fields cannot be added or removed; use host_rewrite for Host)`,
    });
  }
});

const headerValue = z.string().superRefine((value, ctx) => {
  if (/[\r\n\0]/.test(value)) ctx.addIssue({ code: 'custom', message: `expected a header value without CR, LF or NUL, found ${describe(value)}` });
  else if (MOSN_VARIABLE.test(value)) {
    ctx.addIssue({ code: 'custom', message: `MOSN header variables such as ${describe(MOSN_VARIABLE.exec(value)?.[0])} are not supported yet (the value would be sent as written)` });
  }
});

const headerValueOption = mosnObject('headerValueOption', {
  header: mosnObject('headerValue', { key: headerName, value: headerValue }),
  // MOSN's and Envoy's default: add a field, keeping any the request or response already has.
  append: z.boolean().default(true),
}).transform((o): HeaderValueOptionConfig => ({ key: o.header.key, value: o.header.value, append: o.append }));

/** The four header options, as keys of a mosnObject shape. */
export const headerOptionsShape = {
  request_headers_to_add: z.array(headerValueOption).optional(),
  request_headers_to_remove: z.array(headerName).optional(),
  response_headers_to_add: z.array(headerValueOption).optional(),
  response_headers_to_remove: z.array(headerName).optional(),
};

export const retryPolicy = mosnObject('retryPolicy', {
  retry_on: z.boolean().default(false),
  // Taken as written: MOSN silently retries max(3, num_retries) times.
  num_retries: z.number().int().min(0).max(MAX_NUM_RETRIES).default(DEFAULT_NUM_RETRIES),
  retry_timeout: duration().default(0),
  status_codes: z.array(z.number().int().min(100).max(599)).optional(),
})
  .superRefine((p, ctx) => {
    if (!p.retry_on && p.status_codes !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['status_codes'], message: 'status_codes are only retried with "retry_on": true, found "retry_on": false' });
    }
  })
  .transform(
    (p): RetryPolicyConfig => ({ retry_on: p.retry_on, num_retries: p.num_retries, retry_timeout: p.retry_timeout, status_codes: p.status_codes ?? [] }),
  );

// MOSN's shape: [{ "cluster": { "name": "a", "weight": 90 } }].
export const weightedClusters = z
  .array(
    mosnObject('weightedCluster', {
      cluster: mosnObject('clusterWeight', {
        name: nonEmptyString,
        weight: z.number().int().min(0).max(10_000),
      }),
    }).transform((w): WeightedClusterConfig => ({ name: w.cluster.name, weight: w.cluster.weight })),
  )
  .min(1)
  .superRefine((list, ctx) => {
    if (list.reduce((sum, w) => sum + w.weight, 0) === 0) ctx.addIssue({ code: 'custom', message: 'expected weights adding up to more than 0, found all 0' });
  });

export const regexRewrite = mosnObject('regexRewrite', {
  pattern: mosnObject('regexPattern', {
    // RE2 in MOSN and Envoy; JavaScript's syntax here (the common subset reads the same).
    google_re2: mosnObject('googleRe2', {}).optional(),
    regex: regexSource,
  }),
  substitution: z.string(),
}).transform((r): RegexRewriteConfig => ({ regex: r.pattern.regex, substitution: r.substitution }));

const REDIRECT_CODES = [301, 302, 303, 307, 308];

export const redirect = mosnObject('redirect', {
  response_code: z
    .number()
    .int()
    .refine((c) => REDIRECT_CODES.includes(c), { error: (i) => `expected one of ${REDIRECT_CODES.join(', ')}, found ${describe(i.input)}` })
    .default(301),
  path_redirect: z
    .string()
    .refine((p) => p.startsWith('/') && !/[\s\0]/.test(p), { error: (i) => `expected a path starting with "/" without spaces, found ${describe(i.input)}` })
    .optional(),
  host_redirect: nonEmptyString
    .refine((h) => /^[A-Za-z0-9\-._~%[\]:]+$/.test(h), { error: (i) => `expected a host name, optionally with ":port", found ${describe(i.input)}` })
    .optional(),
  scheme_redirect: z
    .string()
    .refine((s) => s === 'http' || s === 'https', { error: (i) => `expected "http" or "https", found ${describe(i.input)}` })
    .optional(),
})
  .superRefine((r, ctx) => {
    if (r.path_redirect === undefined && r.host_redirect === undefined && r.scheme_redirect === undefined) {
      ctx.addIssue({ code: 'custom', message: 'expected at least one of "path_redirect", "host_redirect" or "scheme_redirect" (without them the redirect points at itself)' });
    }
  })
  .transform(
    (r): RedirectConfig => ({
      response_code: r.response_code,
      path_redirect: r.path_redirect,
      host_redirect: r.host_redirect,
      scheme_redirect: r.scheme_redirect,
    }),
  );
