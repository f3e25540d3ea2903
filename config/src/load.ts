// Entry points: read a file (loadConfig) or take text (parseConfig), parse it by extension,
// validate everything in one pass, and either return the MosnConfig or throw one ConfigError that
// lists every problem with its file:line:col.

import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { crossReferenceIssues, type RawIssue } from './cross-references.js';
import { CONFIG_ERROR_CODES, ConfigError, type ConfigIssue } from './errors.js';
import { errorMap } from './schema/common.js';
import { rootSchema } from './schema/root.js';
import { withFileBase } from './schema/tls.js';
import { formatPath, type SourceMap } from './source-map.js';
import { parseText } from './syntax.js';
import type { MosnConfig } from './types.js';

/**
 * Reads `file` (YAML for `.yaml`/`.yml`, JSON otherwise), validates it and applies defaults.
 * @throws ConfigError — MOSN_ERR_CONFIG_NOT_FOUND, MOSN_ERR_CONFIG_READ, MOSN_ERR_CONFIG_SYNTAX or
 *   MOSN_ERR_CONFIG_INVALID (with every issue found).
 */
export async function loadConfig(file: string): Promise<MosnConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ConfigError(CONFIG_ERROR_CODES.NOT_FOUND, `config file ${file} does not exist (resolved to ${resolve(file)})`, { file, cause: err });
    }
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError(CONFIG_ERROR_CODES.READ, `config file ${file} cannot be read: ${reason}`, { file, cause: err });
  }
  return parseConfig(text, file);
}

/**
 * Validates config text as if it had been read from `file`: the extension picks the syntax, the
 * name appears in errors, and relative paths resolve against its folder. A label in angle
 * brackets ("<inline>") stands for no file: paths then resolve against the current directory.
 * @throws ConfigError — MOSN_ERR_CONFIG_SYNTAX or MOSN_ERR_CONFIG_INVALID
 */
export function parseConfig(text: string, file: string): MosnConfig {
  const parsed = parseText(text, file);
  if (!parsed.ok) throw ConfigError.fromIssues(CONFIG_ERROR_CODES.SYNTAX, file, sortIssues(parsed.issues));

  const isLabel = file.startsWith('<') && file.endsWith('>');
  const source = isLabel ? file : resolve(file);
  const schema = rootSchema({ source, baseDir: isLabel ? process.cwd() : dirname(source) });

  const locate = (issue: RawIssue, anchor: 'key' | 'value'): ConfigIssue => ({
    file,
    ...parsed.sourceMap.locate(issue.path, anchor),
    path: formatPath(issue.path),
    message: issue.message,
  });

  if (parsed.data === null || parsed.data === undefined) {
    throw ConfigError.fromIssues(CONFIG_ERROR_CODES.INVALID, file, [
      locate({ path: [], message: 'the file is empty; expected an object with "servers" and "cluster_manager"' }, 'value'),
    ]);
  }
  const result = withFileBase(isLabel ? process.cwd() : dirname(source), () => schema.safeParse(parsed.data, { error: errorMap }));
  const issues = [
    ...(result.success ? [] : result.error.issues.map((issue) => fromZod(issue, parsed.sourceMap, file))),
    ...crossReferenceIssues(parsed.data).map((issue) => locate(issue, 'value')),
  ];
  if (issues.length > 0 || !result.success) {
    throw ConfigError.fromIssues(CONFIG_ERROR_CODES.INVALID, file, sortIssues(dedupe(issues)));
  }
  return result.data;
}

function fromZod(issue: z.core.$ZodIssue, sourceMap: SourceMap, file: string): ConfigIssue {
  const path = issue.path;
  const anchor = issue.code === 'custom' && issue.params?.['at'] === 'key' ? 'key' : 'value';
  return { file, ...sourceMap.locate(path, anchor), path: formatPath(path), message: issue.message };
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return issues.sort((a, b) => a.line - b.line || a.col - b.col);
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.line}:${i.col}:${i.path}:${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
