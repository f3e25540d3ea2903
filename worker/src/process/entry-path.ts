import { fileURLToPath } from 'node:url';

/** The file the supervisor forks for each worker. Resolved at fork time, so a reload runs the code on disk. */
export const WORKER_MAIN_PATH: string = fileURLToPath(new URL('../main.js', import.meta.url));
