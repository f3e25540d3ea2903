/** Stable codes for everything the supervisor and mosnctl can fail with. Callers match on `code`. */
export const SUPERVISOR_ERROR_CODES = Object.freeze({
  /** A listener address could not be bound (address not available, permission, in use). */
  bind: 'MOSN_ERR_BIND',
  /** A worker of the starting generation failed or did not report ready in time. */
  workerStart: 'MOSN_ERR_WORKER_START',
  /** Another supervisor already serves the control socket for this config. */
  alreadyRunning: 'MOSN_ERR_ALREADY_RUNNING',
  /** mosnctl found no supervisor on the control socket. */
  notRunning: 'MOSN_ERR_NOT_RUNNING',
  /** The control socket answered, but the call failed or timed out. */
  control: 'MOSN_ERR_CONTROL',
  /** The pid file could not be written. */
  pidFile: 'MOSN_ERR_PID_FILE',
  /** A reload was asked for while another one runs, or while the supervisor starts or stops. */
  reloadRefused: 'MOSN_ERR_RELOAD_REFUSED',
  /** A plugin did not start: no handshake, exited, initialize refused (e.g. its config is invalid). */
  pluginStart: 'MOSN_ERR_PLUGIN_START',
  /** mosnctl named a plugin the config does not have. */
  pluginUnknown: 'MOSN_ERR_PLUGIN_UNKNOWN',
  /** Processes did not exit within the stop deadline. */
  stopTimeout: 'MOSN_ERR_STOP_TIMEOUT',
} as const);

export type SupervisorErrorCode = (typeof SUPERVISOR_ERROR_CODES)[keyof typeof SUPERVISOR_ERROR_CODES];

export class SupervisorError extends Error {
  readonly code: SupervisorErrorCode;
  /** Log lines of the worker that failed, when there is one (shown by mosnctl). */
  readonly workerLog: readonly string[];

  constructor(code: SupervisorErrorCode, message: string, options: { cause?: unknown; workerLog?: readonly string[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SupervisorError';
    this.code = code;
    this.workerLog = options.workerLog ?? [];
  }
}
