/**
 * The handshake line a plugin prints on stdout once it listens (go-plugin style):
 *
 *   1|<pluginVersion>|unix|<socketPath>|msgpack
 *   │        │          │        │         └ encoding of the frames
 *   │        │          │        └ absolute path of the Unix socket it serves
 *   │        │          └ network (only "unix")
 *   │        └ the plugin's own version, e.g. 1.4.0
 *   └ core protocol version (PROTOCOL_VERSION)
 */
import { IPC_ERROR_CODES, IpcError } from './errors.js';
import { MAX_SOCKET_PATH_BYTES } from './unix-socket.js';

/** Version of the core protocol: framing, encoding, lifecycle. Bumped on any incompatible change. */
export const PROTOCOL_VERSION = 1;

const NETWORK = 'unix';
const ENCODING = 'msgpack';
const FIELD_COUNT = 5;
const PLUGIN_VERSION = /^[0-9A-Za-z.+_~-]{1,64}$/;
const PLUGIN_VERSION_EXPECTED = 'a plugin version of 1–64 letters, digits or . + - _ ~ (e.g. 1.4.0)';
// Control characters would break the line or hide parts of it in logs.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

export interface Handshake {
  readonly protocolVersion: typeof PROTOCOL_VERSION;
  readonly pluginVersion: string;
  readonly network: 'unix';
  readonly socketPath: string;
  readonly encoding: 'msgpack';
}

export interface HandshakeFields {
  readonly pluginVersion: string;
  readonly socketPath: string;
}

/** The handshake line for these fields, without a trailing newline. Throws if a field cannot be written. */
export function formatHandshake(fields: HandshakeFields): string {
  const problem = pluginVersionProblem(fields.pluginVersion) ?? socketPathProblem(fields.socketPath);
  if (problem !== undefined) {
    throw new IpcError(IPC_ERROR_CODES.handshakeInvalid, `cannot format handshake line: ${problem}`);
  }
  return [PROTOCOL_VERSION, fields.pluginVersion, NETWORK, fields.socketPath, ENCODING].join('|');
}

/**
 * Parses one handshake line (a single trailing "\n" or "\r\n" is allowed). Throws an `IpcError`
 * with `MOSN_ERR_IPC_HANDSHAKE_INVALID`, or `MOSN_ERR_IPC_PROTOCOL_VERSION` for a well-formed
 * line with another core protocol version.
 */
export function parseHandshake(line: string): Handshake {
  const text = line.endsWith('\r\n') ? line.slice(0, -2) : line.endsWith('\n') ? line.slice(0, -1) : line;
  const invalid = (problem: string): IpcError =>
    new IpcError(IPC_ERROR_CODES.handshakeInvalid, `invalid handshake line ${quote(line)}: ${problem}`);

  if (/[\r\n]/.test(text)) throw invalid('expected a single line, found a line break inside it');
  const fields = text.split('|');
  if (fields.length !== FIELD_COUNT) {
    throw invalid(
      `expected ${FIELD_COUNT} fields separated by "|" (core version|plugin version|network|socket path|encoding), found ${fields.length}`,
    );
  }
  const [version, pluginVersion, network, socketPath, encoding] = fields as [string, string, string, string, string];

  if (!/^[0-9]{1,9}$/.test(version)) {
    throw invalid(`expected the core protocol version as a decimal integer, found ${quote(version)}`);
  }
  if (Number(version) !== PROTOCOL_VERSION) {
    throw new IpcError(
      IPC_ERROR_CODES.protocolVersion,
      `unsupported handshake line ${quote(line)}: expected core protocol version ${PROTOCOL_VERSION}, found ${version}`,
    );
  }
  const versionProblem = pluginVersionProblem(pluginVersion);
  if (versionProblem !== undefined) throw invalid(versionProblem);
  if (network !== NETWORK) throw invalid(`expected network ${quote(NETWORK)}, found ${quote(network)}`);
  const pathProblem = socketPathProblem(socketPath);
  if (pathProblem !== undefined) throw invalid(pathProblem);
  if (encoding !== ENCODING) throw invalid(`expected encoding ${quote(ENCODING)}, found ${quote(encoding)}`);

  return { protocolVersion: PROTOCOL_VERSION, pluginVersion, network: NETWORK, socketPath, encoding: ENCODING };
}

function pluginVersionProblem(value: string): string | undefined {
  return PLUGIN_VERSION.test(value) ? undefined : `expected ${PLUGIN_VERSION_EXPECTED}, found ${quote(value)}`;
}

function socketPathProblem(value: string): string | undefined {
  if (!value.startsWith('/')) return `expected an absolute socket path, found ${quote(value)}`;
  if (value.includes('|') || CONTROL_CHARS.test(value)) {
    return `expected a socket path without "|" or control characters, found ${quote(value)}`;
  }
  const bytes = Buffer.byteLength(value);
  if (bytes > MAX_SOCKET_PATH_BYTES) {
    return `expected a socket path of at most ${MAX_SOCKET_PATH_BYTES} bytes, found ${bytes} bytes`;
  }
  return undefined;
}

/** JSON quoting shows empty strings and stray characters; long lines are cut. */
function quote(value: string): string {
  return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
}
