/**
 * The supervisor's lifecycle, in order (MOSN names its start-up stages the same way).
 * `mosnctl status` reports the current one.
 */
export const STAGES = [
  'loading-config',
  'opening-control-socket',
  'binding-listeners',
  'starting-plugins',
  'starting-workers',
  'running',
  'reloading',
  'stopping',
  'stopped',
] as const;

export type Stage = (typeof STAGES)[number];
