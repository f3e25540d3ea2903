// The writer of one access log's lines: its `log_format`, or JSON lines when it has none.
import { parseLogFormat } from '@mosn/config';
import type { AccessLogRow } from '@mosn/ipc-protocol';
import { createJsonLine } from './json-line.js';
import { LineBuffer } from './line-buffer.js';
import { compileTextLine } from './text-line.js';

/** Writes one row's line (without the newline) into a batch's buffer. */
export type LineWriter = (row: AccessLogRow, out: LineBuffer) => void;

/** Turns one row into one line as a string (JSON lines are built as strings). */
export type RowRenderer = (row: AccessLogRow) => string;

/** Throws only for a format the config loader would have refused. */
export function lineWriterFor(format: string | undefined): LineWriter {
  if (format !== undefined && format !== '') return compileTextLine(parseLogFormat(format).tokens);
  const json = createJsonLine();
  return (row, out) => out.utf8(json(row));
}

/** One row's line as a string, for callers that want a single line. */
export function renderLine(write: LineWriter, row: AccessLogRow): string {
  const out = new LineBuffer();
  write(row, out);
  return out.take();
}
