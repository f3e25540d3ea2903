// LB_MAGLEV: consistent hashing with Google's Maglev lookup table (Eisenbud et al., NSDI 2016).
// Each host fills table slots in the order of its own permutation of the table, in turns (a host
// of weight w takes w slots per turn), until the table is full; a key goes to the host in slot
// hash(key) mod M. The table is built once per config from the host names (addresses), so every
// worker maps a key to the same host.
//
// Hosts that cannot be chosen (unhealthy, ejected, already tried) do not rebuild the table: a key
// whose slot holds such a host is hashed again (a new slot, same table) until it finds a usable
// one. So keys of usable hosts never move, and only the keys of the unusable host spread over the
// others. Removing a host from the config rebuilds the table, which moves few other keys (Maglev's
// minimal disruption, not zero).

import { hash32, mix32 } from './hash.js';
import { type HostSet, type LoadBalancer, randomIndex } from './load-balancer.js';

/** Envoy's default table size: a prime, so that every skip value walks the whole table. */
export const MAGLEV_TABLE_SIZE = 65_537;

/** Rehashes tried before falling back to a scan for the next usable slot. */
const REHASHES = 32;
const GOLDEN = 0x9e3779b9;

export class Maglev implements LoadBalancer {
  private readonly table: Int32Array;
  private readonly size: number;

  constructor(names: readonly string[], weights: readonly number[], tableSize = MAGLEV_TABLE_SIZE) {
    this.size = names.length === 0 ? 0 : tableSize;
    this.table = buildTable(names, weights, this.size);
  }

  /** The host index of each slot (for tests). */
  get entries(): Int32Array {
    return this.table;
  }

  pick(hosts: HostSet, hashKey: string | undefined): number {
    const m = this.size;
    if (m === 0 || hosts.size === 0) return -1;
    // Without a key (no hash_policy matched) any host will do: a random slot keeps the weights.
    const h = hashKey === undefined ? randomIndex(0x1_0000_0000) : hash32(hashKey);
    const first = this.table[h % m] as number;
    if (hosts.allUsable || hosts.usable(first)) return first;
    for (let attempt = 1; attempt <= REHASHES; attempt++) {
      const i = this.table[mix32(h + Math.imul(attempt, GOLDEN)) % m] as number;
      if (hosts.usable(i)) return i;
    }
    // Few usable hosts left: walk the table from the key's slot (still deterministic per key).
    for (let step = 1, slot = h % m; step < m; step++) {
      const i = this.table[(slot + step) % m] as number;
      if (hosts.usable(i)) return i;
    }
    return -1;
  }
}

function buildTable(names: readonly string[], weights: readonly number[], m: number): Int32Array {
  const table = new Int32Array(m).fill(-1);
  const n = names.length;
  if (n === 0) return table;
  // Duplicate addresses get distinct names, so each still has its own permutation.
  const seen = new Map<string, number>();
  const offset: number[] = [];
  const skip: number[] = [];
  for (const name of names) {
    const k = seen.get(name) ?? 0;
    seen.set(name, k + 1);
    const unique = k === 0 ? name : name + '#' + k;
    offset.push(hash32(unique, 0x5bd1e995) % m);
    skip.push((hash32(unique, 0x27d4eb2f) % (m - 1)) + 1);
  }
  const turns = weights.map((w) => (Number.isFinite(w) && w > 0 ? Math.floor(w) : 1));
  const next = new Array<number>(n).fill(0);
  let filled = 0;
  for (;;) {
    for (let i = 0; i < n; i++) {
      const o = offset[i] as number;
      const s = skip[i] as number;
      for (let t = turns[i] as number; t > 0; t--) {
        let j = next[i] as number;
        let slot = (o + j * s) % m;
        while ((table[slot] as number) >= 0) {
          j++;
          slot = (o + j * s) % m;
        }
        table[slot] = i;
        next[i] = j + 1;
        if (++filled === m) return table;
      }
    }
  }
}
