// The kernel listening sockets, owned by the supervisor for its whole life.
//
// The supervisor only bind()s: it never calls listen() itself, because a listening handle in
// this process would be polled by libuv and accept connections nobody serves. The first worker
// that listens on its duplicate turns the socket into LISTEN state, and since this process keeps
// a reference, the socket stays listening (and its accept queue intact) while workers come and go.
// Node's cluster module shares handles the same way.
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { getSystemErrorName } from 'node:util';
import type { ListenerConfig } from '@mosn/config';
import { SUPERVISOR_ERROR_CODES, SupervisorError } from '../errors.js';

/** The raw `TCP` wrap that `net` uses internally; sent to workers as a handle. */
export interface RawTcpHandle {
  getsockname(out: { address?: string; port?: number }): number;
  close(): void;
}

type CreateServerHandle = (address: string, port: number, addressType: number, fd: undefined, flags: number) => RawTcpHandle | number;

export interface BoundListener {
  name: string;
  address: string;
  port: number;
  handle: RawTcpHandle;
}

export class ListenerSockets {
  readonly #bound = new Map<string, BoundListener>();

  /** Binds each listener not bound yet; an address already bound keeps its socket. */
  async bindAll(listeners: readonly ListenerConfig[]): Promise<void> {
    const created: string[] = [];
    try {
      for (const listener of listeners) {
        if (this.#bound.has(listener.name)) continue;
        this.#bound.set(listener.name, bindOne(listener, await resolveHost(listener)));
        created.push(listener.name);
      }
    } catch (err) {
      for (const name of created) this.close(name);
      throw err;
    }
  }

  get(name: string): BoundListener | undefined {
    return this.#bound.get(name);
  }

  list(): BoundListener[] {
    return [...this.#bound.values()];
  }

  close(name: string): void {
    this.#bound.get(name)?.handle.close();
    this.#bound.delete(name);
  }

  closeAll(): void {
    for (const name of [...this.#bound.keys()]) this.close(name);
  }
}

/** A listener may name a host ("localhost:8080"); bind() needs an IP address. */
async function resolveHost(listener: ListenerConfig): Promise<string> {
  if (net.isIP(listener.host) !== 0) return listener.host;
  try {
    return (await lookup(listener.host)).address;
  } catch (err) {
    throw new SupervisorError(
      SUPERVISOR_ERROR_CODES.bind,
      `listener "${listener.name}": cannot bind ${listener.address}: host "${listener.host}" does not resolve (${(err as NodeJS.ErrnoException).code ?? 'lookup failed'})`,
      { cause: err },
    );
  }
}

function bindOne(listener: ListenerConfig, ip: string): BoundListener {
  const createServerHandle = (net as unknown as { _createServerHandle: CreateServerHandle })._createServerHandle;
  const result = createServerHandle(ip, listener.port, net.isIPv6(ip) ? 6 : 4, undefined, 0);
  if (typeof result === 'number') throw bindError(listener, result);
  // libuv defers EADDRINUSE from bind() to the next call on the handle; getsockname() reports it.
  // Without this check a worker's listen() would auto-bind the unbound socket to a random port.
  const out: { address?: string; port?: number } = {};
  const rc = result.getsockname(out);
  if (rc < 0) {
    result.close();
    throw bindError(listener, rc);
  }
  return { name: listener.name, address: listener.address, port: out.port ?? listener.port, handle: result };
}

function bindError(listener: ListenerConfig, errno: number): SupervisorError {
  const name = getSystemErrorName(errno);
  const reason = name === 'EADDRINUSE' ? 'address in use' : name === 'EADDRNOTAVAIL' ? 'address not available on this machine' : name === 'EACCES' ? 'permission denied' : name;
  return new SupervisorError(SUPERVISOR_ERROR_CODES.bind, `listener "${listener.name}": cannot bind ${listener.address}: ${reason} (${name})`);
}
