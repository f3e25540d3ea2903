// Envoy's rate limit actions turned into descriptors for one request. As in Envoy, an action that
// cannot produce its entry (a header the request lacks, no cluster) drops its whole descriptor,
// unless it is a request_headers action with skip_if_absent (then only the entry is left out).
import type { RateLimitActionConfig } from '@mosn/config';
import type { RateLimitDescriptor, RateLimitEntry } from '@mosn/ipc-protocol';
import type { PluginRequest } from '../../plugin/plugin-request.js';

export function buildDescriptors(rateLimits: readonly { actions: readonly RateLimitActionConfig[] }[], request: PluginRequest): RateLimitDescriptor[] {
  const descriptors: RateLimitDescriptor[] = [];
  for (const { actions } of rateLimits) {
    const entries: RateLimitEntry[] = [];
    let complete = true;
    for (const action of actions) {
      const entry = entryFor(action, request);
      if (entry !== undefined) entries.push(entry);
      else if (!(action.type === 'request_headers' && action.skip_if_absent)) {
        complete = false;
        break;
      }
    }
    if (complete && entries.length > 0) descriptors.push({ entries });
  }
  return descriptors;
}

function entryFor(action: RateLimitActionConfig, request: PluginRequest): RateLimitEntry | undefined {
  switch (action.type) {
    case 'remote_address':
      return request.remoteAddress === '' ? undefined : { key: 'remote_address', value: request.remoteAddress };
    case 'generic_key':
      return { key: action.descriptor_key, value: action.descriptor_value };
    case 'destination_cluster': {
      const cluster = request.cluster;
      return cluster === undefined ? undefined : { key: 'destination_cluster', value: cluster };
    }
    case 'request_headers': {
      const value = headerValue(action.header_name, request);
      return value === undefined ? undefined : { key: action.descriptor_key, value };
    }
  }
}

/** A header by lower-case name; the pseudo-headers :path, :method and :authority as HTTP/2 names them. */
function headerValue(name: string, request: PluginRequest): string | undefined {
  switch (name) {
    case ':path':
      return request.path;
    case ':method':
      return request.method;
    case ':authority':
      return request.authority === '' ? undefined : request.authority;
    default:
      return request.header(name);
  }
}
