import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A link to Redis on which some connections take long to open (a slow network, a loaded server): the ones
 * whose number (1 for the first opened through it) `isSlow` picks are relayed only after `delayMs`.
 */
export class SlowRedisLink {
  private opened = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly target: { host: string; port: number },
    private readonly isSlow: (connection: number) => boolean,
    private readonly delayMs: number,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  static async start(redisUrl: string, isSlow: (connection: number) => boolean, delayMs: number): Promise<SlowRedisLink> {
    const url = new URL(redisUrl);
    const link = new SlowRedisLink(createServer(), { host: url.hostname, port: Number(url.port || 6379) }, isSlow, delayMs);
    await new Promise<void>((resolve) => link.server.listen(0, '127.0.0.1', resolve));
    return link;
  }

  get url(): string {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('the link does not listen');
    return `redis://127.0.0.1:${address.port}`;
  }

  private accept(client: Socket): void {
    this.opened += 1;
    this.track(client);
    client.pause();
    setTimeout(() => this.relay(client), this.isSlow(this.opened) ? this.delayMs : 0);
  }

  private relay(client: Socket): void {
    if (client.destroyed) return;
    const upstream = this.track(connect(this.target.port, this.target.host));
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }

  private track(socket: Socket): Socket {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    return socket;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
