// Maps a path in the parsed data (['servers', 0, 'listeners', 1, 'address']) back to a line and
// column in the file, using the YAML syntax tree (JSON files are parsed as YAML for this: JSON is
// YAML's flow style, so the tree has the same shape as JSON.parse's result).

import { isAlias, isMap, isNode, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
}

/** `value`: the value at the path (a wrong value). `key`: the key itself (a key that should not be there). */
export type Anchor = 'value' | 'key';

export class SourceMap {
  readonly #doc: Document;
  readonly #lines: LineCounter;

  constructor(doc: Document, lines: LineCounter) {
    this.#doc = doc;
    this.#lines = lines;
  }

  /**
   * Position of the deepest node along `path` that exists in the file. A missing key (a required
   * field left out) thus points at the object that should contain it.
   */
  locate(path: readonly PropertyKey[], anchor: Anchor = 'value'): Position {
    let node: unknown = this.#doc.contents;
    let offset = this.#startOf(node) ?? 0;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i];
      if (isAlias(node)) node = node.resolve(this.#doc);
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => keyText(p.key) === String(segment));
        if (pair === undefined) break;
        const keyStart = this.#startOf(pair.key);
        if (last && anchor === 'key' && keyStart !== undefined) return this.#lines.linePos(keyStart);
        // `key:` with nothing after it has no value node: point at the key.
        node = pair.value;
        offset = this.#startOf(node) ?? keyStart ?? offset;
        if (!isNode(node)) break;
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
        const start = this.#startOf(node);
        if (start === undefined) break;
        offset = start;
      } else {
        break;
      }
    }
    return this.#lines.linePos(offset);
  }

  #startOf(node: unknown): number | undefined {
    return isNode(node) ? ((node as Node).range?.[0] ?? undefined) : undefined;
  }
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

/** MOSN notation: `servers[0].listeners[1].address`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_][\w-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}
