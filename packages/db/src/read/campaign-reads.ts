import type { CampaignInstance, CampaignType } from '@scheduler/core';
import { asc, between, sql } from 'drizzle-orm';
import { withDatabaseErrors } from '../connection/database-errors';
import type { OrganizationDb } from '../connection/open-organization-db';
import { campaignInstances, campaignTypes } from '../schema';
import { campaignTypeFlags } from '../schema/campaign-types';
import { isReadableFlag, readStoredFlag } from './stored-flag';

const FLAG_KEYS = ['respectExclusionWindows', 'enableFollowups', 'targetAllContacts', 'active'] as const;

/** A stored flag's text for a warning: a blob as hex, the rest as it reads. */
const storedText = (value: unknown): string =>
  value instanceof Uint8Array ? `X'${Buffer.from(value).toString('hex').toUpperCase()}'` : JSON.stringify(value);

/**
 * Every campaign type, its flags read as schema/campaign-types.ts says (NULL: the contract's defaults). A flag
 * stored as neither a number nor a spelling of true or false takes its safe reading, and is listed in
 * `unreadableFlags` for a warning.
 */
export const readCampaignTypes = (db: OrganizationDb): CampaignType[] =>
  withDatabaseErrors(`reading campaign types of ${db.path}`, () =>
    db.orm
      .select({
        name: campaignTypes.name,
        daysBeforeEvent: campaignTypes.daysBeforeEvent,
        priority: campaignTypes.priority,
        // As stored, read below: the column's own reading cannot say that it fell back on the safe value.
        respectExclusionWindows: sql<unknown>`${campaignTypes.respectExclusionWindows}`,
        enableFollowups: sql<unknown>`${campaignTypes.enableFollowups}`,
        targetAllContacts: sql<unknown>`${campaignTypes.targetAllContacts}`,
        active: sql<unknown>`${campaignTypes.active}`,
      })
      .from(campaignTypes)
      .orderBy(asc(campaignTypes.name))
      .all()
      .map((row) => {
        const flag = (key: (typeof FLAG_KEYS)[number]): boolean => readStoredFlag(row[key], campaignTypeFlags[key]);
        const unreadableFlags = FLAG_KEYS.filter((key) => !isReadableFlag(row[key])).map((key) => ({
          column: campaignTypes[key].name,
          stored: storedText(row[key]),
          readAs: campaignTypeFlags[key].whenUnreadable,
        }));
        return {
          name: row.name,
          respectExclusionWindows: flag('respectExclusionWindows'),
          enableFollowups: flag('enableFollowups'),
          daysBeforeEvent: row.daysBeforeEvent ?? 0,
          targetAllContacts: flag('targetAllContacts'),
          priority: row.priority ?? 10,
          active: flag('active'),
          ...(unreadableFlags.length === 0 ? {} : { unreadableFlags }),
        };
      }),
  );

/**
 * Every campaign instance, active or not: the core decides which are active on its today. An instance
 * whose id JavaScript cannot hold exactly is left out (rowsBeyondSafeIds counts them): rounded, its id
 * could be another instance's.
 */
export const readCampaignInstances = (db: OrganizationDb): CampaignInstance[] =>
  withDatabaseErrors(`reading campaign instances of ${db.path}`, () =>
    db.orm
      .select({
        id: campaignInstances.id,
        campaignType: campaignInstances.campaignType,
        instanceName: campaignInstances.instanceName,
        emailTemplate: campaignInstances.emailTemplate,
        smsTemplate: campaignInstances.smsTemplate,
        activeStartDate: campaignInstances.activeStartDate,
        activeEndDate: campaignInstances.activeEndDate,
        metadata: campaignInstances.metadata,
      })
      .from(campaignInstances)
      .where(between(campaignInstances.id, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER))
      .orderBy(asc(campaignInstances.id))
      .all(),
  );
