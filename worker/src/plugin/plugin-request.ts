import type { CheckRequestParams, CheckRequestTuple } from '@mosn/ipc-protocol';

/** The parsed header fields a request is built from (the HTTP/1 codec's HeaderFields). */
export interface FieldList {
  readonly count: number;
  readonly lnames: readonly string[];
  readonly values: readonly string[];
}

/**
 * A request as the stream filters and their plugins see it. Headers are kept as one flat list
 * (name, value, name, value…; lower-case names, repeated fields joined with ", " as RFC 9110 §5.3
 * allows), which is already the compact wire form. Measured with five fields: a header object
 * and its tuple cost ~3 µs per request (keyed stores, then flattening); the list and its tuple
 * ~0.15 µs. The object is built only when asked for (a plugin that reads the map form).
 */
export class PluginRequest {
  #headers: Record<string, string> | undefined;

  constructor(
    readonly method: string,
    readonly path: string,
    readonly authority: string,
    readonly headerPairs: readonly string[],
    readonly remoteAddress: string,
    readonly virtualHost: string | undefined,
    readonly cluster: string | undefined,
  ) {}

  static fromFields(method: string, path: string, authority: string, fields: FieldList, remoteAddress: string, virtualHost?: string, cluster?: string): PluginRequest {
    return new PluginRequest(method, path, authority, headerPairsOf(fields), remoteAddress, virtualHost, cluster);
  }

  /** From the map form (tests, and callers that have one). */
  static fromParams(params: CheckRequestParams): PluginRequest {
    const pairs: string[] = [];
    for (const name of Object.keys(params.headers)) pairs.push(name, params.headers[name] as string);
    return new PluginRequest(params.method, params.path, params.authority, pairs, params.remoteAddress, params.route?.virtualHost, params.route?.cluster);
  }

  /** A header's (joined) value by lower-case name. */
  header(lname: string): string | undefined {
    const pairs = this.headerPairs;
    for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === lname) return pairs[i + 1];
    return undefined;
  }

  get headers(): Readonly<Record<string, string>> {
    if (this.#headers === undefined) {
      // No prototype: no header name can reach Object.prototype's members.
      const headers = Object.create(null) as Record<string, string>;
      const pairs = this.headerPairs;
      for (let i = 0; i < pairs.length; i += 2) headers[pairs[i] as string] = pairs[i + 1] as string;
      this.#headers = headers;
    }
    return this.#headers;
  }

  /** The map form (`checkRequest`'s params), for plugins that do not read tuples. */
  toParams(): CheckRequestParams {
    const base = { method: this.method, path: this.path, authority: this.authority, headers: { ...this.headers }, remoteAddress: this.remoteAddress };
    if (this.virtualHost === undefined) return base;
    return { ...base, route: this.cluster === undefined ? { virtualHost: this.virtualHost } : { virtualHost: this.virtualHost, cluster: this.cluster } };
  }

  /** The compact form (`call-tuples/1`). */
  toTuple(): CheckRequestTuple {
    return ['checkRequest', this.method, this.path, this.authority, this.headerPairs, this.remoteAddress, this.virtualHost ?? null, this.cluster ?? null];
  }
}

/**
 * The fields as pairs, a repeated name's values joined in order at its first place. A field named
 * `__proto__` is left out, as the header object plugins have always received could not hold it
 * (and msgpack readers rename or drop such a key).
 */
function headerPairsOf(fields: FieldList): string[] {
  const { count, lnames, values } = fields;
  const pairs = new Array<string>(count * 2);
  let k = 0;
  next: for (let i = 0; i < count; i++) {
    const name = lnames[i] as string;
    const value = values[i] as string;
    if (name === '__proto__') continue;
    // A head has a handful of fields and repeats are rare: a scan beats a Set here.
    for (let j = 0; j < k; j += 2) {
      if (pairs[j] === name) {
        pairs[j + 1] += ', ' + value;
        continue next;
      }
    }
    pairs[k++] = name;
    pairs[k++] = value;
  }
  if (k < pairs.length) pairs.length = k;
  return pairs;
}
