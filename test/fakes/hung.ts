import { createServer, type Socket } from 'node:net';

/**
 * An endpoint that accepts connections, reads, and never answers: a hung webhook or a peer
 * that stopped mid-request. It records each request (a connection that sent data: undici also
 * opens spare connections that carry nothing) and when the client closed it.
 */
export interface HungRequest {
  /** performance.now() when the request arrived, and when its connection closed. */
  at: number;
  closed?: number;
}

export interface HungEndpoint {
  url: string;
  requests: HungRequest[];
  openConnections(): number;
  close(): Promise<void>;
}

export async function startHungEndpoint(): Promise<HungEndpoint> {
  const requests: HungRequest[] = [];
  const open = new Set<Socket>();
  const server = createServer((socket) => {
    let entry: HungRequest | undefined;
    open.add(socket);
    socket.on('data', () => {
      if (entry) return;
      entry = { at: performance.now() };
      requests.push(entry);
    });
    socket.on('close', () => {
      if (entry) entry.closed = performance.now();
      open.delete(socket);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  return {
    url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`,
    requests,
    openConnections: () => open.size,
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
