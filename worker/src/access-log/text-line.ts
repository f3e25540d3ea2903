/**
 * A MOSN `log_format` compiled into the renderer of one line, e.g.
 * `%start_time% %request_method% %request_path% %response_code% %REQ.user-agent%`.
 *
 * The worker renders lines itself (as Envoy formats on its worker threads) and the logging plugin
 * only writes them: a line costs about a microsecond here, against several to ship the record's
 * fields and rebuild them in another process. The format was checked when the config loaded
 * (`parseLogFormat`), so compiling cannot fail.
 */
import type { AccessLogVariable, LogFormatToken } from '@mosn/config';
import type { RowRenderer } from './log-line.js';
import { MISSING, countText, createStartTimeFormatter, durationText, pairValue, plainValue, textValue } from './log-values.js';

/** Compiles a parsed format into a renderer (its parts joined per row). */
export function compileTextLine(tokens: readonly LogFormatToken[]): RowRenderer {
  const startTime = createStartTimeFormatter();
  const parts: (string | RowRenderer)[] = tokens.map((token) =>
    token.kind === 'literal' ? token.text : token.kind === 'variable' ? variableRenderer(token.name, startTime) : headerRenderer(token.source, token.name),
  );
  return (row) => {
    let line = '';
    for (const part of parts) line += typeof part === 'string' ? part : part(row);
    return line;
  };
}

function headerRenderer(source: 'request' | 'response', name: string): RowRenderer {
  return source === 'request' ? (r) => textValue(pairValue(r[17], name)) : (r) => textValue(pairValue(r[18], name));
}

/**
 * The text renderer of each variable; `startTime` is shared by one compiled format. What the
 * client sent (path, request id, headers) is escaped; what the proxy made or checked (the method
 * is a token, addresses, flags, the protocol) cannot need it.
 */
function variableRenderer(name: AccessLogVariable, startTime: (epochMs: number) => string): RowRenderer {
  switch (name) {
    case 'start_time':
      return (r) => startTime(r[1]);
    case 'request_received_duration':
      return (r) => durationText(r[2]);
    case 'response_received_duration':
      return (r) => durationText(r[3]);
    case 'duration':
      return (r) => durationText(r[4]);
    case 'bytes_received':
      return (r) => countText(r[5]);
    case 'bytes_sent':
      return (r) => countText(r[6]);
    case 'protocol':
      return (r) => plainValue(r[7]);
    case 'response_code':
      return (r) => (r[8] > 0 ? countText(r[8]) : MISSING);
    case 'response_flag':
      return (r) => plainValue(r[9]);
    case 'request_method':
      return (r) => plainValue(r[10]);
    case 'request_path':
      return (r) => textValue(r[11]);
    case 'request_id':
      return (r) => textValue(r[12]);
    case 'upstream_host':
      return (r) => plainValue(r[13]);
    case 'upstream_local_address':
      return (r) => plainValue(r[14]);
    case 'downstream_local_address':
      return (r) => plainValue(r[15]);
    case 'downstream_remote_address':
      return (r) => plainValue(r[16]);
  }
}
