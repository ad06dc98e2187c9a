import type { CampaignInstance, CampaignType } from '@scheduler/core';
import { asc, between } from 'drizzle-orm';
import { withDatabaseErrors } from '../connection/database-errors';
import type { OrganizationDb } from '../connection/open-organization-db';
import { campaignInstances, campaignTypes } from '../schema';
import { campaignTypeFlags } from '../schema/campaign-types';

/** Every campaign type, its flags read as schema/campaign-types.ts says (NULL: the contract's defaults). */
export const readCampaignTypes = (db: OrganizationDb): CampaignType[] =>
  withDatabaseErrors(`reading campaign types of ${db.path}`, () =>
    db.orm
      .select()
      .from(campaignTypes)
      .orderBy(asc(campaignTypes.name))
      .all()
      .map((row) => ({
        name: row.name,
        respectExclusionWindows: row.respectExclusionWindows ?? campaignTypeFlags.respectExclusionWindows.whenNull,
        enableFollowups: row.enableFollowups ?? campaignTypeFlags.enableFollowups.whenNull,
        daysBeforeEvent: row.daysBeforeEvent ?? 0,
        targetAllContacts: row.targetAllContacts ?? campaignTypeFlags.targetAllContacts.whenNull,
        priority: row.priority ?? 10,
        active: row.active ?? campaignTypeFlags.active.whenNull,
      })),
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
