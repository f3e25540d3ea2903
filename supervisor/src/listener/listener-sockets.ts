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

/** One kernel socket, keyed by the address it was bound for (so renaming a listener keeps it). */
export interface BoundSocket {
  key: string;
  address: string;
  port: number;
  handle: RawTcpHandle;
}

/** A listener of one config and the socket it uses; what a worker is handed. */
export interface BoundListener {
  name: string;
  address: string;
  port: number;
  handle: RawTcpHandle;
}

/**
 * Sockets are shared by every generation whose config has a listener on the same address. Port 0
 * means "any free port", so two such listeners are different sockets: those are told apart, and
 * kept across reloads, by listener name.
 */
export function socketKey(listener: Pick<ListenerConfig, 'host' | 'port' | 'name'>): string {
  return listener.port === 0 ? `${listener.host}:0/${listener.name}` : `${listener.host}:${listener.port}`;
}

export class ListenerSockets {
  readonly #bound = new Map<string, BoundSocket>();

  /**
   * Makes sure every listener of `listeners` has a socket: an address bound before keeps its
   * socket (never re-bound), a new one is bound now. Returns the listeners with their sockets and
   * the keys bound by this call; on failure, what this call bound is closed again.
   */
  async bindAll(listeners: readonly ListenerConfig[]): Promise<{ bound: BoundListener[]; added: string[] }> {
    const added: string[] = [];
    try {
      for (const listener of listeners) {
        const key = socketKey(listener);
        if (this.#bound.has(key)) continue;
        this.#bound.set(key, bindOne(listener, await resolveHost(listener)));
        added.push(key);
      }
    } catch (err) {
      this.closeKeys(added);
      throw err;
    }
    return { bound: listeners.map((l) => this.#use(l)), added };
  }

  #use(listener: ListenerConfig): BoundListener {
    const socket = this.#bound.get(socketKey(listener));
    if (socket === undefined) throw new Error(`unreachable: no socket bound for listener "${listener.name}"`);
    return { name: listener.name, address: listener.address, port: socket.port, handle: socket.handle };
  }

  /** Closes every socket no config in `inUse` listens on; returns the keys closed. */
  closeUnused(inUse: readonly (readonly ListenerConfig[])[]): string[] {
    const keep = new Set(inUse.flatMap((listeners) => listeners.map(socketKey)));
    const unused = [...this.#bound.keys()].filter((key) => !keep.has(key));
    this.closeKeys(unused);
    return unused;
  }

  closeKeys(keys: readonly string[]): void {
    for (const key of keys) {
      this.#bound.get(key)?.handle.close();
      this.#bound.delete(key);
    }
  }

  closeAll(): void {
    this.closeKeys([...this.#bound.keys()]);
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

function bindOne(listener: ListenerConfig, ip: string): BoundSocket {
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
  return { key: socketKey(listener), address: listener.address, port: out.port ?? listener.port, handle: result };
}

function bindError(listener: ListenerConfig, errno: number): SupervisorError {
  const name = getSystemErrorName(errno);
  const reason = name === 'EADDRINUSE' ? 'address in use' : name === 'EADDRNOTAVAIL' ? 'address not available on this machine' : name === 'EACCES' ? 'permission denied' : name;
  return new SupervisorError(SUPERVISOR_ERROR_CODES.bind, `listener "${listener.name}": cannot bind ${listener.address}: ${reason} (${name})`);
}
