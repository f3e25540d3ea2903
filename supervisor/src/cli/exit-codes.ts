/** What mosnctl's exit status means. */
export const EXIT = Object.freeze({ ok: 0, failed: 1, usage: 2 });
