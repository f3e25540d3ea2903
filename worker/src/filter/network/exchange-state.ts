// States of the one exchange a downstream HTTP connection runs at a time (see http-connection.ts).

/** Request side: waiting for a head, receiving the body, fully received. */
export const RS_HEAD = 0;
export const RS_BODY = 1;
export const RS_DONE = 2;

/** Response side: no exchange, response pending or streaming, response complete. */
export const X_IDLE = 0;
export const X_ACTIVE = 1;
export const X_DONE = 2;
