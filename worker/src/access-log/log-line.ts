// The renderer of one access log's lines: its `log_format`, or JSON lines when it has none.
import { parseLogFormat } from '@mosn/config';
import type { AccessLogRow } from '@mosn/ipc-protocol';
import { createJsonLine } from './json-line.js';
import { compileTextLine } from './text-line.js';

/** Turns one row into one line (without the newline). */
export type RowRenderer = (row: AccessLogRow) => string;

/** Throws only for a format the config loader would have refused. */
export function lineRendererFor(format: string | undefined): RowRenderer {
  return format === undefined || format === '' ? createJsonLine() : compileTextLine(parseLogFormat(format).tokens);
}
