// servers[0].listeners[]: an address, and one filter chain holding one network filter, either
// `proxy` (HTTP through a router config) or `tcp_proxy` (bytes to a cluster).

import { z } from 'zod';
import type { ListenerConfig, NetworkFilterConfig, ProxyFilterConfig, TcpProxyFilterConfig } from '../types.js';
import { MOSN_UNSUPPORTED_VALUES } from '../mosn-keys.js';
import { address, describe, duration, exactlyOne, isRecord, mosnObject, nonEmptyString, oneOf } from './common.js';
import { streamFilterSchema, type ParsedStreamFilter } from './plugin.js';

/** Default idle timeout of a tcp_proxy pair (MOSN's default for idle connections). */
export const DEFAULT_TCP_IDLE_TIMEOUT_MS = 90_000;

const protocol = oneOf('protocol', ['Http1'], MOSN_UNSUPPORTED_VALUES.protocol);

const proxyFilter = mosnObject('networkFilter', {
  type: z.literal('proxy'),
  config: mosnObject('proxy', {
    // Http1 is the only protocol so far, so leaving it out cannot mean anything else.
    downstream_protocol: protocol.default('Http1'),
    upstream_protocol: protocol.default('Http1'),
    router_config_name: nonEmptyString,
  }),
}).transform(
  (f): ProxyFilterConfig => ({
    type: 'proxy',
    config: {
      downstream_protocol: f.config.downstream_protocol,
      upstream_protocol: f.config.upstream_protocol,
      router_config_name: f.config.router_config_name,
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

const filterChain = mosnObject('filterChain', {
  filters: exactlyOne(networkFilter, 'network filter per filter chain'),
}).transform((c) => ({ filters: c.filters as NetworkFilterConfig[] }));

export const listenerSchema = mosnObject('listener', {
  name: nonEmptyString,
  address: address({ allowPortZero: true }),
  // MOSN defaults to false, which only makes sense with use_original_dst (not supported yet):
  // a listener that does not bind would never see a connection here.
  bind_port: z.boolean().default(true),
  filter_chains: exactlyOne(filterChain, 'filter chain per listener'),
  stream_filters: z.array(streamFilterSchema).default([]),
}).transform(
  (l): ParsedListener => ({
    name: l.name,
    address: l.address.address,
    host: l.address.host,
    port: l.address.port,
    bind_port: l.bind_port,
    filter_chains: l.filter_chains,
    stream_filters: l.stream_filters,
  }),
);

/** A listener before its stream filters' failure modes are settled against the plugin list. */
export type ParsedListener = Omit<ListenerConfig, 'stream_filters'> & { stream_filters: ParsedStreamFilter[] };
