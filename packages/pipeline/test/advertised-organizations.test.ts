import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OrganizationDirectory } from '../src/index';
import { advertiseOrganizations, fleetAdvertises } from '../src/advertised-organizations';
import { newWorld, redisUrl, until } from './support/fleet-world';

describe("a fleet's organizations in Redis", () => {
  let world: ReturnType<typeof newWorld>;
  let redis: Redis;

  beforeEach(() => {
    world = newWorld();
    redis = new Redis(redisUrl());
  });
  afterEach(() => {
    redis.disconnect();
    world.cleanup();
  });

  it('count while the fleet runs, not once it stops or after a killed fleet stopped refreshing them, and what killed fleets left is removed', async () => {
    const key = `${world.prefix}:scheduler:organizations`;
    await redis.hset(key, 'killed', JSON.stringify({ organizations: ['acme'], until: Date.now() - 1 }), 'garbled', 'not json');
    expect(await fleetAdvertises(redis, world.prefix, 'acme')).toBe(false);

    writeFileSync(join(world.directory, 'acme.sqlite'), 'SQLite format 3');
    // A link to nothing is not an organization: it does not keep the fleet from listing its others.
    symlinkSync(join(world.directory, 'gone', 'nowhere.sqlite'), join(world.directory, 'dangling.sqlite'));
    const refreshErrors: unknown[] = [];
    const stop = await advertiseOrganizations(redis, world.prefix, new OrganizationDirectory(world.directory), (error) => refreshErrors.push(error));
    expect(await fleetAdvertises(redis, world.prefix, 'acme')).toBe(true);
    expect(await fleetAdvertises(redis, world.prefix, 'globex')).toBe(false);
    expect(await fleetAdvertises(redis, world.prefix, 'dangling')).toBe(false);
    expect(Object.keys(await redis.hgetall(key))).toHaveLength(1);
    expect(refreshErrors).toEqual([]);

    await stop();
    expect(await fleetAdvertises(redis, world.prefix, 'acme')).toBe(false);
    expect(await redis.exists(key)).toBe(0);
  });

  it('are listed again as soon as the connection is back, a restart of Redis having lost them', async () => {
    const key = `${world.prefix}:scheduler:organizations`;
    writeFileSync(join(world.directory, 'acme.sqlite'), 'SQLite format 3');
    const fleetConnection = new Redis(redisUrl());
    // No refresh within the test: only the connection's return can list them again.
    const stop = await advertiseOrganizations(fleetConnection, world.prefix, new OrganizationDirectory(world.directory), () => undefined, 3_600_000);
    try {
      await redis.del(key);
      await redis.client('KILL', 'ID', String(await fleetConnection.client('ID')));
      await until(() => fleetAdvertises(redis, world.prefix, 'acme'), 10_000);
    } finally {
      await stop();
      fleetConnection.disconnect();
    }
  });
});
