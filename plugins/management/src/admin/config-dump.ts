/**
 * `/api/v1/config_dump` with MOSN's query parameters (one at most): none or `mosnconfig` for the
 * whole effective config; `alllisteners`, `allrouters`, `allclusters` for a map by name;
 * `listener=NAME`, `router=NAME`, `cluster=NAME` for one. Sections are found in the effective
 * config's flat shape (`listeners`, `routers`, `clusters`) or in MOSN's file shape
 * (`servers[].listeners`, `servers[].routers`, `cluster_manager.clusters`). Always redacted.
 */
import { MANAGEMENT_ERROR_CODES, ManagementError } from '../errors.js';
import { redact } from './redact.js';

type Section = 'listeners' | 'routers' | 'clusters';

const PARAMS: Readonly<Record<string, { section: Section; one: boolean } | undefined>> = {
  alllisteners: { section: 'listeners', one: false },
  allrouters: { section: 'routers', one: false },
  allclusters: { section: 'clusters', one: false },
  listener: { section: 'listeners', one: true },
  router: { section: 'routers', one: true },
  cluster: { section: 'clusters', one: true },
};

export const CONFIG_DUMP_PARAMS = ['mosnconfig', ...Object.keys(PARAMS)];

export function configDump(config: unknown, query: URLSearchParams): unknown {
  const keys = [...new Set(query.keys())];
  if (keys.length > 1) throw new ManagementError(MANAGEMENT_ERROR_CODES.badRequest, `expected at most one parameter (${CONFIG_DUMP_PARAMS.join(', ')}), found ${keys.join(', ')}`);
  const key = keys[0];
  if (key === undefined || key === 'mosnconfig') return redact(config);
  const param = PARAMS[key];
  if (param === undefined) throw new ManagementError(MANAGEMENT_ERROR_CODES.badRequest, `expected one of ${CONFIG_DUMP_PARAMS.join(', ')}, found ${JSON.stringify(key)}`);
  const byName = new Map<string, unknown>();
  for (const item of sectionOf(config, param.section)) {
    const name = nameOf(item, param.section);
    if (name !== undefined) byName.set(name, item);
  }
  if (!param.one) return redact(Object.fromEntries(byName));
  const wanted = query.get(key) ?? '';
  if (!byName.has(wanted)) {
    const known = [...byName.keys()];
    throw new ManagementError(MANAGEMENT_ERROR_CODES.unknownKey, `expected the name of a ${key} (${known.length === 0 ? 'there are none' : known.join(', ')}), found ${JSON.stringify(wanted)}`);
  }
  return redact(byName.get(wanted));
}

function sectionOf(config: unknown, section: Section): unknown[] {
  if (!isRecord(config)) return [];
  const flat = config[section];
  if (Array.isArray(flat)) return flat;
  if (section === 'clusters') {
    const manager = config.cluster_manager;
    return isRecord(manager) && Array.isArray(manager.clusters) ? manager.clusters : [];
  }
  const servers = Array.isArray(config.servers) ? config.servers : [];
  return servers.flatMap((server: unknown) => (isRecord(server) && Array.isArray(server[section]) ? (server[section] as unknown[]) : []));
}

function nameOf(item: unknown, section: Section): string | undefined {
  if (!isRecord(item)) return undefined;
  const name = section === 'routers' ? item.router_config_name : item.name;
  return typeof name === 'string' ? name : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
