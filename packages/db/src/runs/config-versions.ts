import { and, desc, eq, isNull } from 'drizzle-orm';
import { withDatabaseErrors } from '../connection/database-errors';
import type { OrganizationDb } from '../connection/open-organization-db';
import { inWriteTransaction } from '../connection/transaction';
import { configVersions } from '../schema';
import { utcDatetime } from './utc-datetime';

/** JSON with object keys sorted, so equal configurations give equal text whatever their key order. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );

export interface ConfigVersionRecord {
  readonly id: number;
  /** False when the current version already held this configuration. */
  readonly created: boolean;
}

/**
 * Records the configuration a run used as the current `config_versions`
 * version of `configType` ('scheduler'): the same configuration as the
 * current version adds nothing; a different one closes the current version
 * (valid_to) and opens a new one from `at`.
 */
export const recordConfigVersion = (
  db: OrganizationDb,
  config: unknown,
  options: { configType?: string; at?: Date; createdBy?: string } = {},
): ConfigVersionRecord =>
  withDatabaseErrors(`recording the configuration in ${db.path}`, () =>
    inWriteTransaction(db, () => {
      const configType = options.configType ?? 'scheduler';
      const now = utcDatetime(options.at ?? new Date());
      const configData = canonicalJson(config);
      const current = db.orm
        .select()
        .from(configVersions)
        .where(and(eq(configVersions.configType, configType), isNull(configVersions.validTo)))
        .orderBy(desc(configVersions.id))
        .get();
      if (current !== undefined && current.configData === configData) return { id: current.id, created: false };
      if (current !== undefined) {
        db.orm
          .update(configVersions)
          .set({ validTo: now })
          .where(and(eq(configVersions.configType, configType), isNull(configVersions.validTo)))
          .run();
      }
      const inserted = db.orm
        .insert(configVersions)
        .values({ configType, configData, validFrom: now, createdAt: now, createdBy: options.createdBy ?? 'scheduler' })
        .returning({ id: configVersions.id })
        .get();
      return { id: inserted.id, created: true };
    }),
  );
