// Text → data, by file extension: `.yaml`/`.yml` are YAML, anything else is JSON (MOSN's format).
// Both are also parsed into a YAML syntax tree, which gives every later error its line:col.

import { LineCounter, parseDocument } from 'yaml';
import type { ConfigIssue } from './errors.js';
import { SourceMap } from './source-map.js';

export type ParsedText =
  | { ok: true; data: unknown; sourceMap: SourceMap }
  | { ok: false; issues: ConfigIssue[] };

export function isYamlFile(file: string): boolean {
  return /\.ya?ml$/i.test(file);
}

export function parseText(text: string, file: string): ParsedText {
  const yaml = isYamlFile(file);
  // A UTF-8 byte order mark is legal at the start of a file but not in JSON.parse input.
  const source = text.startsWith('\ufeff') ? text.slice(1) : text;
  const lines = new LineCounter();
  // uniqueKeys: a repeated key is an error, where JSON.parse would silently keep the last one.
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): { line: number; col: number } => lines.linePos(offset);

  const issues: ConfigIssue[] = [];
  let data: unknown;
  if (!yaml) {
    try {
      data = JSON.parse(source);
    } catch (err) {
      issues.push({ file, ...at(jsonErrorOffset(err, doc.errors, source)), path: '', message: jsonMessage(err) });
    }
  }
  for (const err of doc.errors) {
    // In JSON mode the YAML pass only reports what JSON.parse accepts: repeated keys.
    if (!yaml && (issues.length > 0 || err.code !== 'DUPLICATE_KEY')) continue;
    issues.push({ file, ...at(err.pos[0]), path: '', message: yamlMessage(err.code, err.message, source, err.pos) });
  }
  if (issues.length > 0) return { ok: false, issues };
  if (yaml) data = doc.toJS({ maxAliasCount: 100 });
  return { ok: true, data, sourceMap: new SourceMap(doc, lines) };
}

function jsonMessage(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  // Node's message ends with the position (reported as line:col instead) or quotes the input.
  const text = raw.replace(/ in JSON at position \d+.*$/s, '').replace(/, ".*" is not valid JSON$/s, '');
  return `invalid JSON: ${text}`;
}

function jsonErrorOffset(err: unknown, yamlErrors: readonly { pos: [number, number] }[], source: string): number {
  const match = err instanceof Error ? / at position (\d+)/.exec(err.message) : null;
  if (match?.[1] !== undefined) return Number(match[1]);
  if (err instanceof Error && err.message.startsWith('Unexpected end')) return source.length;
  // Some messages carry no position; the YAML parser usually trips at the same place.
  return yamlErrors[0]?.pos[0] ?? 0;
}

function yamlMessage(code: string, message: string, source: string, pos: [number, number]): string {
  if (code === 'DUPLICATE_KEY') {
    // The error points at the first character of the repeated key: read the key from there.
    const m = /^"((?:[^"\\\n]|\\.)*)"|^'([^'\n]*)'|^([^:#\n]+?)\s*:/.exec(source.slice(pos[0]));
    const key = m?.[1] ?? m?.[2] ?? m?.[3];
    return key ? `duplicate key "${key}" (each key may appear once per object)` : 'duplicate key';
  }
  // The yaml package appends " at line L, column C"; the position is already in front.
  return `invalid YAML: ${message.replace(/ at line \d+, column \d+:?.*$/s, '')}`;
}
