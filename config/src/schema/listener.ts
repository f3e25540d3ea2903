// servers[0].listeners[]: an address, and one filter chain holding one network filter, either
// `proxy` (HTTP through a router config) or `tcp_proxy` (bytes to a cluster).

import { z } from 'zod';
import type { HttpProtocolConfig, ListenerConfig, NetworkFilterConfig, ProxyFilterConfig, TcpProxyFilterConfig, TlsContextConfig } from '../types.js';
import { MOSN_UNSUPPORTED_VALUES } from '../mosn-keys.js';
import { address, describe, duration, exactlyOne, isRecord, mosnObject, nonEmptyString, oneOf } from './common.js';
import { accessLogSchema, streamFilterSchema, type ParsedStreamFilter } from './stream-filter.js';
import { tlsContextSchema } from './tls.js';

/** Default idle timeout of a tcp_proxy pair (MOSN's default for idle connections). */
export const DEFAULT_TCP_IDLE_TIMEOUT_MS = 90_000;

const protocol = oneOf('protocol', ['Http1'], MOSN_UNSUPPORTED_VALUES.protocol);

/** Defaults of the HTTP/1 limits (extend_config), named so that docs and tests say the same as the code. */
export const HTTP_PROTOCOL_DEFAULTS: Readonly<HttpProtocolConfig> = Object.freeze({
  max_header_size: 60 * 1024,
  max_header_count: 100,
  header_read_timeout: 60_000,
  max_requests_per_connection: 0,
});
/** Default of connection_idle_timeout for proxy listeners. */
export const DEFAULT_CONNECTION_IDLE_TIMEOUT_MS = 60_000;

// MOSN's proxy extend_config for HTTP/1 (max_header_size), with our limits next to it.
const httpOptions = mosnObject('httpOptions', {
  max_header_size: z.number().int().min(1024).max(1024 * 1024).default(HTTP_PROTOCOL_DEFAULTS.max_header_size),
  max_header_count: z.number().int().min(1).max(10_000).default(HTTP_PROTOCOL_DEFAULTS.max_header_count),
  // Never 0: a client must not hold a connection open forever without sending a request.
  header_read_timeout: duration()
    .refine((ms) => ms > 0, { error: 'expected a duration above 0, found 0 (a header read timeout cannot be turned off)' })
    .default(HTTP_PROTOCOL_DEFAULTS.header_read_timeout),
  max_requests_per_connection: z.number().int().min(0).max(4_294_967_295).default(HTTP_PROTOCOL_DEFAULTS.max_requests_per_connection),
}).transform(
  (o): HttpProtocolConfig => ({
    max_header_size: o.max_header_size,
    max_header_count: o.max_header_count,
    header_read_timeout: o.header_read_timeout,
    max_requests_per_connection: o.max_requests_per_connection,
  }),
);

const proxyFilter = mosnObject('networkFilter', {
  type: z.literal('proxy'),
  config: mosnObject('proxy', {
    // Http1 is the only protocol so far, so leaving it out cannot mean anything else.
    downstream_protocol: protocol.default('Http1'),
    upstream_protocol: protocol.default('Http1'),
    router_config_name: nonEmptyString,
    extend_config: httpOptions.optional(),
  }),
}).transform(
  (f): ProxyFilterConfig => ({
    type: 'proxy',
    config: {
      downstream_protocol: f.config.downstream_protocol,
      upstream_protocol: f.config.upstream_protocol,
      router_config_name: f.config.router_config_name,
      ...(f.config.extend_config === undefined ? {} : { extend_config: f.config.extend_config }),
    },
  }),
);

const tcpProxyFilter = mosnObject('networkFilter', {
  type: z.literal('tcp_proxy'),
  config: mosnObject('tcpProxy', {
    cluster: nonEmptyString,
    idle_timeout: duration().default(DEFAULT_TCP_IDLE_TIMEOUT_MS),
  }),
}).transform(
  (f): TcpProxyFilterConfig => ({
    type: 'tcp_proxy',
    config: { cluster: f.config.cluster, idle_timeout: f.config.idle_timeout },
  }),
);

const FILTER_TYPES = ['proxy', 'tcp_proxy'] as const;

// Dispatches on `type`; zod reports an unknown type at `type` itself, worded here like the other
// enumerations.
const networkFilter = z.discriminatedUnion('type', [proxyFilter, tcpProxyFilter], {
  error: (issue) => {
    if (issue.code !== 'invalid_union') return undefined;
    if (!isRecord(issue.input)) return `expected an object, found ${describe(issue.input)}`;
    const result = oneOf('network filter type', FILTER_TYPES, MOSN_UNSUPPORTED_VALUES.networkFilterType).safeParse(
      issue.input['type'],
    );
    return result.error?.issues[0]?.message ?? 'invalid network filter';
  },
});

const serverTls = tlsContextSchema('listener');

const filterChain = mosnObject('filterChain', {
  filters: exactlyOne(networkFilter, 'network filter per filter chain'),
  tls_context: serverTls.optional(),
  // Several certificates, picked by the client's SNI; the first is the default.
  tls_context_set: z.array(serverTls).min(1).optional(),
})
  .superRefine(
    (c, ctx) => {
      if (c.tls_context !== undefined && c.tls_context_set !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['tls_context_set'], message: 'expected either "tls_context" or "tls_context_set", found both' });
      }
      // Client certificate and ALPN settings apply to the handshake before SNI picks a context.
      const set: unknown = c.tls_context_set;
      if (Array.isArray(set)) {
        const first: unknown = set.find((t) => isRecord(t));
        set.forEach((t: unknown, i) => {
          if (!isRecord(t) || !isRecord(first) || t === first) return;
          for (const key of ['verify_client', 'require_client_cert', 'alpn'] as const) {
            if (JSON.stringify(t[key]) !== JSON.stringify(first[key])) {
              ctx.addIssue({ code: 'custom', path: ['tls_context_set', i, key], message: `expected the same ${key} as the first context of the set (${JSON.stringify(first[key])}), found ${JSON.stringify(t[key])}` });
            }
          }
        });
      }
    },
    { when: (payload) => isRecord(payload.value) },
  )
  .transform((c) => {
    const tls = [c.tls_context, ...(c.tls_context_set ?? [])].filter((t): t is TlsContextConfig => t !== undefined);
    return { filters: c.filters as NetworkFilterConfig[], ...(tls.length === 0 ? {} : { tls_contexts: tls }) };
  });

export const listenerSchema = mosnObject('listener', {
  name: nonEmptyString,
  address: address({ allowPortZero: true }),
  // MOSN defaults to false, which only makes sense with use_original_dst (not supported yet):
  // a listener that does not bind would never see a connection here.
  bind_port: z.boolean().default(true),
  filter_chains: exactlyOne(filterChain, 'filter chain per listener'),
  stream_filters: z.array(streamFilterSchema).default([]),
  access_logs: z.array(accessLogSchema).default([]),
  connection_idle_timeout: duration().optional(),
})
  .superRefine(
    (l, ctx) => {
      const chains: unknown = l['filter_chains'];
      const chain: unknown = Array.isArray(chains) ? chains[0] : undefined;
      const filters: unknown = isRecord(chain) ? chain['filters'] : undefined;
      const filter: unknown = Array.isArray(filters) ? filters[0] : undefined;
      if (l['connection_idle_timeout'] !== undefined && isRecord(filter) && filter['type'] === 'tcp_proxy') {
        ctx.addIssue({ code: 'custom', path: ['connection_idle_timeout'], message: 'applies to "proxy" listeners; a "tcp_proxy" listener has its own "idle_timeout"' });
      }
    },
    { when: (payload) => isRecord(payload.value) },
  )
  .transform(
  (l): ParsedListener => ({
    name: l.name,
    address: l.address.address,
    host: l.address.host,
    port: l.address.port,
    bind_port: l.bind_port,
    filter_chains: l.filter_chains,
    stream_filters: l.stream_filters,
    access_logs: l.access_logs,
    ...(l.connection_idle_timeout === undefined ? {} : { connection_idle_timeout: l.connection_idle_timeout }),
  }),
);

/** A listener before its stream filters' failure modes are settled against the plugin list. */
export type ParsedListener = Omit<ListenerConfig, 'stream_filters'> & { stream_filters: ParsedStreamFilter[] };
