/**
 * A MOSN `log_format` compiled into the writer of one line, e.g.
 * `%start_time% %request_method% %request_path% %response_code% %REQ.user-agent%`.
 *
 * The worker formats lines itself (as Envoy formats on its worker threads) and the logging plugin
 * only writes them. Each value is written into the batch's LineBuffer as bytes, not built as a
 * string. The format was checked when the config loaded (`parseLogFormat`), so compiling cannot
 * fail.
 */
import type { AccessLogVariable, LogFormatToken } from '@mosn/config';
import type { AccessLogRow } from '@mosn/ipc-protocol';
import type { LineBuffer } from './line-buffer.js';
import type { LineWriter } from './log-line.js';
import { DURATION_FRACTIONS, pairValue } from './log-values.js';

type PartWriter = (row: AccessLogRow, out: LineBuffer) => void;

/** Compiles a parsed format into a line writer (its parts written in order, no newline). */
export function compileTextLine(tokens: readonly LogFormatToken[]): LineWriter {
  const startTime = createStartTimeWriter();
  const parts: (string | PartWriter)[] = tokens
    .filter((token) => token.kind !== 'literal' || token.text !== '') // plain('') would write "-"
    .map((token) => (token.kind === 'literal' ? token.text : token.kind === 'variable' ? variableWriter(token.name, startTime) : headerWriter(token.source, token.name)));
  return (row, out) => {
    for (const part of parts) {
      if (typeof part === 'string') out.plain(part);
      else part(row, out);
    }
  };
}

function headerWriter(source: 'request' | 'response', name: string): PartWriter {
  return source === 'request' ? (r, out) => out.escaped(pairValue(r[17], name)) : (r, out) => out.escaped(pairValue(r[18], name));
}

/**
 * The writer of each variable; `startTime` is shared by one compiled format. What the client sent
 * (path, request id, headers) is escaped; what the proxy made or checked (the method is a token,
 * addresses, flags, the protocol) cannot need it.
 */
function variableWriter(name: AccessLogVariable, startTime: PartWriter): PartWriter {
  switch (name) {
    case 'start_time':
      return startTime;
    case 'request_received_duration':
      return (r, out) => writeDuration(out, r[2]);
    case 'response_received_duration':
      return (r, out) => writeDuration(out, r[3]);
    case 'duration':
      return (r, out) => writeDuration(out, r[4]);
    case 'bytes_received':
      return (r, out) => out.count(r[5]);
    case 'bytes_sent':
      return (r, out) => out.count(r[6]);
    case 'protocol':
      return (r, out) => out.plain(r[7]);
    case 'response_code':
      return (r, out) => (r[8] > 0 ? out.count(r[8]) : out.plain(''));
    case 'response_flag':
      return (r, out) => out.plain(r[9]);
    case 'request_method':
      return (r, out) => out.plain(r[10]);
    case 'request_path':
      return (r, out) => out.escaped(r[11]);
    case 'request_id':
      return (r, out) => out.escaped(r[12]);
    case 'upstream_host':
      return (r, out) => out.plain(r[13]);
    case 'upstream_local_address':
      return (r, out) => out.plain(r[14]);
    case 'downstream_local_address':
      return (r, out) => out.plain(r[15]);
    case 'downstream_remote_address':
      return (r, out) => out.plain(r[16]);
  }
}

/** Milliseconds with at most 3 fraction digits and no trailing zeros (as `durationDigits`); `-` when negative. */
function writeDuration(out: LineBuffer, value: number): void {
  if (!Number.isFinite(value) || value < 0) return out.plain('');
  const us = Math.round(value * 1000);
  const whole = Math.floor(us / 1000);
  out.digits(whole);
  const fraction = us - whole * 1000;
  if (fraction !== 0) out.plain(DURATION_FRACTIONS[fraction] as string);
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * `2006/01/02 15:04:05.000` in local time. Records of one batch mostly start within the same
 * second, so the date part is computed once per second (one Date per second instead of per record).
 */
function createStartTimeWriter(): PartWriter {
  let second = Number.NaN;
  let prefix = '';
  return (r, out) => {
    const epochMs = r[1];
    if (!Number.isFinite(epochMs) || epochMs <= 0) return out.plain('');
    const ms = Math.floor(epochMs);
    const s = Math.floor(ms / 1000);
    if (s !== second) {
      const d = new Date(s * 1000);
      prefix = `${d.getFullYear()}/${pad2(d.getMonth() + 1)}/${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.`;
      second = s;
    }
    out.plain(prefix);
    out.threeDigits(ms - s * 1000);
  };
}
