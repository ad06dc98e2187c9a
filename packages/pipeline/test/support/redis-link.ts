import { connect, createServer, type Server, type Socket } from 'node:net';

/** What the link does to connection `n` (numbered from 1, in the order they are opened). */
export interface LinkFaults {
  /** How long the connection takes to open: a slow network, a loaded server. */
  readonly openDelayOf?: (connection: number) => number;
  /** How long each chunk of data takes, each way. */
  readonly latencyOf?: (connection: number) => number;
  /** Told of each chunk of replies as the connection's client receives it: a test acts between two commands. */
  readonly onReply?: (connection: number) => void;
}

/**
 * A link to Redis whose connections can open slowly, carry data late, be reset one by one, and whose new
 * connections can be refused for a while (a connection reset by a NAT or load balancer, a network hiccup).
 */
export class RedisLink {
  private opened = 0;
  private refuseUntil = 0;
  private readonly pairs = new Map<number, { client: Socket; upstream: Socket }>();
  private readonly opening = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly target: { host: string; port: number },
    private readonly faults: LinkFaults,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  static async start(redisUrl: string, faults: LinkFaults = {}): Promise<RedisLink> {
    const url = new URL(redisUrl);
    const link = new RedisLink(createServer(), { host: url.hostname, port: Number(url.port || 6379) }, faults);
    await new Promise<void>((resolve) => link.server.listen(0, '127.0.0.1', resolve));
    return link;
  }

  get url(): string {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('the link does not listen');
    return `redis://127.0.0.1:${address.port}`;
  }

  /** Resets the connection whose client end is at local port `port` (an ioredis instance's `stream.localPort`), and refuses new ones for `refuseMs`. */
  dropPeer(port: number, refuseMs = 0): boolean {
    for (const [n, pair] of this.pairs) {
      if (pair.client.remotePort === port) {
        this.refuseUntil = Math.max(this.refuseUntil, Date.now() + refuseMs);
        this.drop(n);
        return true;
      }
    }
    return false;
  }

  /** Resets every connection, and refuses new ones for `refuseMs` (the client's side of a Redis restart). */
  dropAll(refuseMs = 0): void {
    this.refuseUntil = Math.max(this.refuseUntil, Date.now() + refuseMs);
    for (const n of [...this.pairs.keys()]) this.drop(n);
  }

  private drop(n: number): void {
    const pair = this.pairs.get(n);
    pair?.client.destroy();
    pair?.upstream.destroy();
  }

  private accept(client: Socket): void {
    this.opened += 1;
    const n = this.opened;
    client.on('error', () => client.destroy());
    if (Date.now() < this.refuseUntil) {
      client.destroy();
      return;
    }
    client.pause();
    this.opening.add(client);
    setTimeout(() => {
      this.opening.delete(client);
      this.relay(n, client);
    }, this.faults.openDelayOf?.(n) ?? 0);
  }

  private relay(n: number, client: Socket): void {
    if (client.destroyed) return;
    const upstream = connect(this.target.port, this.target.host);
    upstream.on('error', () => upstream.destroy());
    this.pairs.set(n, { client, upstream });
    const close = (): void => {
      this.pairs.delete(n);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close);
    upstream.on('close', close);
    const carry = (to: Socket): ((chunk: Buffer) => void) => {
      let last = 0;
      const deliver = (chunk: Buffer): void => {
        if (to.destroyed) return;
        to.write(chunk);
        if (to === client) this.faults.onReply?.(n);
      };
      return (chunk) => {
        const latency = this.faults.latencyOf?.(n) ?? 0;
        if (latency === 0) {
          deliver(chunk);
          return;
        }
        // Late, but in order.
        const at = Math.max(Date.now() + latency, last);
        last = at;
        setTimeout(() => deliver(chunk), at - Date.now());
      };
    };
    client.on('data', carry(upstream));
    upstream.on('data', carry(client));
    client.resume();
  }

  async close(): Promise<void> {
    for (const client of this.opening) client.destroy();
    for (const n of [...this.pairs.keys()]) this.drop(n);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
