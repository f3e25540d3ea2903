export { Supervisor, type SupervisorOptions } from './supervisor.js';
export { SupervisorError, SUPERVISOR_ERROR_CODES, type SupervisorErrorCode } from './errors.js';
export { STAGES, type Stage } from './stages.js';
export { controlSocketPath } from './control/socket-path.js';
export { run } from './cli/main.js';
export { isProcessAlive } from './process-alive.js';
