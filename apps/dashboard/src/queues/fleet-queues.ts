import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES, createRedisConnection, type QueueRole } from '@scheduler/queue';
import type { Logger } from '@scheduler/pipeline';
import { closeWithin } from './close-within';

/**
 * The fleet's queues seen from the dashboard, on one producer
 * connection: commands fail at once while Redis is away instead of piling
 * up, so pages and health checks answer promptly.
 */
export class FleetQueues {
  readonly requests: Queue;
  readonly chunks: Queue;
  readonly finalize: Queue;
  readonly backups: Queue;
  private readonly connection: Redis;

  constructor(redisUrl: string, logger: Logger, prefix?: string) {
    this.connection = createRedisConnection(redisUrl, 'producer');
    // ioredis reports each failed reconnection; one line per minute is enough for a dashboard.
    let lastReportMs = 0;
    this.connection.on('error', (error: Error) => {
      if (Date.now() - lastReportMs < 60_000) return;
      lastReportMs = Date.now();
      logger.warn({ err: error }, 'Redis connection error');
    });
    const queue = (role: QueueRole): Queue => {
      const created = new Queue(QUEUE_NAMES[role], { connection: this.connection, ...(prefix === undefined ? {} : { prefix }) });
      created.on('error', () => undefined);
      return created;
    };
    this.requests = queue('requests');
    this.chunks = queue('chunks');
    this.finalize = queue('finalize');
    this.backups = queue('backups');
  }

  all(): Queue[] {
    return [this.requests, this.chunks, this.finalize, this.backups];
  }

  async close(): Promise<void> {
    await closeWithin(2_000, () => Promise.all(this.all().map((queue) => queue.close())), () => this.connection.disconnect());
    this.connection.disconnect();
  }
}
