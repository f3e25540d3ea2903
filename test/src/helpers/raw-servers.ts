// Raw TCP servers for tests that need an upstream to misbehave below HTTP (garbage, silence).
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';

export async function startNetServer(t: TestContext, onConnection: (socket: net.Socket) => void): Promise<{ port: number; address: string }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as AddressInfo;
  return { port, address: `127.0.0.1:${port}` };
}
