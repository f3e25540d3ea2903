// The whole public surface of @mosn/ipc-protocol. Other packages import only from here, and never
// import vscode-jsonrpc or msgpackr themselves: what they need of vscode-jsonrpc is re-exported.

export { PROTOCOL_VERSION, formatHandshake, parseHandshake } from './handshake.js';
export type { Handshake, HandshakeFields } from './handshake.js';

export { IPC_ERROR_CODES, IpcError, RPC_ERROR_CODES } from './errors.js';
export type { IpcErrorCode, RpcErrorCode } from './errors.js';

export { DEFAULT_MAX_FRAME_BYTES, encodeFrame } from './frame-codec.js';
export { IpcMessageReader } from './message-reader.js';
export type { IpcMessageReaderOptions } from './message-reader.js';
export { IpcMessageWriter } from './message-writer.js';
export type { IpcMessageWriterOptions } from './message-writer.js';
export { createIpcConnection } from './connection.js';
export type { IpcConnection, IpcConnectionOptions, IpcLogger } from './connection.js';
export { connectUnix, listenUnix } from './unix-socket.js';
export type { ConnectUnixOptions, ListenUnixOptions } from './unix-socket.js';

export { ControlPluginList, ControlPluginRestart, ControlReload, ControlReopenLogs, ControlStatus, ControlStop } from './methods/control.js';
export type {
  ListenerStatus,
  PluginRestartParams,
  PluginStatus,
  ReloadErrorData,
  ReloadParams,
  ReloadResult,
  ReopenLogsResult,
  StatusResult,
  StopParams,
  StopResult,
  SupervisorStatus,
  WorkerState,
  WorkerStatus,
} from './methods/control.js';

export {
  PLUGIN_ENV,
  PLUGIN_HOOKS,
  PLUGIN_MAGIC_COOKIE,
  PLUGIN_PROTOCOL_VERSION,
  PLUGIN_RPC_ERROR_CODES,
  PluginCall,
  PluginCheckRequest,
  PluginExit,
  PluginHeartbeat,
  PluginInitialize,
  PluginInitialized,
  PluginShutdown,
} from './methods/plugin.js';
export type {
  CallParams,
  CallResult,
  CheckRequestAllow,
  CheckRequestDeny,
  CheckRequestParams,
  CheckRequestResult,
  CheckRequestRoute,
  HeartbeatParams,
  HeartbeatResult,
  PluginConfigIssue,
  PluginErrorData,
  PluginHookName,
  PluginInitializeParams,
  PluginInitializeResult,
  PluginRole,
  PluginRpcErrorCode,
  ShutdownResult,
} from './methods/plugin.js';

export { PluginRateLimit, RATE_LIMIT_UNITS } from './methods/rate-limit.js';
export type {
  RateLimitCode,
  RateLimitDescriptor,
  RateLimitDescriptorStatus,
  RateLimitEntry,
  RateLimitLimit,
  RateLimitParams,
  RateLimitResult,
  RateLimitUnit,
} from './methods/rate-limit.js';
export { MAX_BATCH_CALLS, PluginBatch } from './methods/batch.js';
export type { BatchCall, BatchError, BatchHookName, BatchHookResults, BatchOutcome, BatchParams, BatchResult } from './methods/batch.js';
export { HostSetLogLevel, LOG_LEVELS, PluginMetrics } from './methods/metrics.js';
export type { HostState, MetricJson, MetricsReport, SetLogLevelParams, SetLogLevelResult } from './methods/metrics.js';
export { PluginLogRecords, PluginLogRecordsAck, PluginReopenLogs } from './methods/access-log.js';
export type { AccessLogBytes, AccessLogLines, AccessLogRecord, AccessLogTarget, LogRecordsAckParams, LogRecordsParams } from './methods/access-log.js';
export {
  WIRE_FEATURES,
  accessLogRecordOf,
  accessLogRowOf,
  compactCall,
  compactRateLimitResult,
  expandCall,
  expandRateLimitResult,
  pairsOf,
} from './methods/compact.js';
export type { AccessLogRow, CheckRequestTuple, CompactCall, HeaderPairs, RateLimitResultTuple, RateLimitStatusTuple, RateLimitTuple, WireFeature } from './methods/compact.js';

// vscode-jsonrpc, re-exported so that declaring methods and handling errors needs no direct import.
export {
  CancellationTokenSource,
  ErrorCodes as JsonRpcErrorCodes,
  NotificationType,
  NotificationType0,
  ParameterStructures,
  RequestType,
  RequestType0,
  ResponseError,
} from 'vscode-jsonrpc/node';
export type { CancellationToken, Disposable, MessageConnection } from 'vscode-jsonrpc/node';
