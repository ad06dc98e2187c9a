import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkRedisReachable } from '../src/index';

describe('checking that Redis is reachable', () => {
  it('refuses, naming the URL, a server that accepts connections and never answers', async () => {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      await expect(checkRedisReachable(`redis://127.0.0.1:${port}`, 500)).rejects.toThrow(`Redis is not reachable at redis://127.0.0.1:${port}`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
