/**
 * API keys: a static list in the config and/or a file (one key per line, or JSON). Keys are kept
 * only as SHA-256 digests, so a lookup compares digests (no early exit on the secret itself) and
 * a heap dump does not hold them in clear.
 */
import { createHash } from 'node:crypto';
import { readText } from './files.js';

export interface ApiKeyInput {
  readonly key: string;
  /** Forwarded upstream (see `api_keys.id_header`) and logged; default derived from the key's digest. */
  readonly id?: string | undefined;
  readonly scopes?: readonly string[] | undefined;
}

export interface ApiKeyEntry {
  readonly id: string;
  readonly scopes: ReadonlySet<string>;
}

function digest(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

export class ApiKeyStore {
  readonly #byDigest = new Map<string, ApiKeyEntry>();

  constructor(inputs: readonly ApiKeyInput[]) {
    for (const input of inputs) {
      const d = digest(input.key);
      this.#byDigest.set(d, { id: input.id ?? `key-${d.slice(0, 8)}`, scopes: new Set(input.scopes ?? []) });
    }
  }

  get size(): number {
    return this.#byDigest.size;
  }

  lookup(presented: string): ApiKeyEntry | undefined {
    return this.#byDigest.get(digest(presented));
  }
}

/**
 * Reads an API key file. JSON when it starts with `[` (an array of strings or of
 * `{ key, id?, scopes? }`); otherwise one key per line, blank lines and `#` comments ignored.
 * Throws an Error whose message names the file and says what was expected.
 */
export async function readApiKeyFile(path: string): Promise<ApiKeyInput[]> {
  const text = await readText(path, 'API key file');
  return parseApiKeyFile(text, path);
}

export function parseApiKeyFile(text: string, path: string): ApiKeyInput[] {
  if (text.trimStart().startsWith('[')) return parseJsonKeys(text, path);
  const keys: ApiKeyInput[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    keys.push({ key: line });
  }
  if (keys.length === 0) throw new Error(`API key file ${JSON.stringify(path)}: expected at least one key, found none`);
  return keys;
}

function parseJsonKeys(text: string, path: string): ApiKeyInput[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`API key file ${JSON.stringify(path)}: expected JSON, found a syntax error (${(error as Error).message})`);
  }
  const list = value as unknown[];
  return list.map((item, index) => {
    if (typeof item === 'string' && item !== '') return { key: item };
    const entry = item as Partial<Record<'key' | 'id' | 'scopes', unknown>> | null;
    const scopes = entry?.scopes;
    const valid =
      typeof entry === 'object' &&
      entry !== null &&
      typeof entry.key === 'string' &&
      entry.key !== '' &&
      (entry.id === undefined || typeof entry.id === 'string') &&
      (scopes === undefined || (Array.isArray(scopes) && scopes.every((s) => typeof s === 'string')));
    if (!valid) {
      throw new Error(
        `API key file ${JSON.stringify(path)} [${index}]: expected a non-empty string or { "key": string, "id"?: string, "scopes"?: string[] }, found ${describe(item)}`,
      );
    }
    return { key: entry.key as string, id: entry.id as string | undefined, scopes: scopes as string[] | undefined };
  });
}

// Never the value itself: it may be a key.
function describe(item: unknown): string {
  if (item === null) return 'null';
  if (Array.isArray(item)) return 'an array';
  if (typeof item === 'object') return `an object with keys ${Object.keys(item).join(', ') || '(none)'}`;
  return typeof item === 'string' ? 'an empty string' : `a ${typeof item}`;
}
