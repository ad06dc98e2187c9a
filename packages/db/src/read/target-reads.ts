import type { CampaignTarget } from '@scheduler/core';
import { withDatabaseErrors } from '../connection/database-errors';
import type { OrganizationDb } from '../connection/open-organization-db';
import type { IdRange } from './contact-reads';
import { exactInteger, storedInteger, storedText } from './stored-text';
import { countUnreadable, type UnreadableRows } from './unreadable-rows';

/** `contact_campaigns` rows of the contacts in `range`, grouped by contact id. */
export const readCampaignTargets = (
  db: OrganizationDb,
  range: IdRange,
  unreadable: UnreadableRows,
): Map<number, CampaignTarget[]> => {
  const rows = withDatabaseErrors(`reading campaign targets of contacts ${range.fromId}–${range.toId} of ${db.path}`, () =>
    db.sqlite
      .prepare(
        `SELECT contact_id, ${exactInteger('campaign_instance_id')}, trigger_date, status FROM contact_campaigns
         WHERE contact_id >= ? AND contact_id <= ? ORDER BY contact_id, campaign_instance_id, trigger_date`,
      )
      .raw()
      .all(range.fromId, range.toId),
  ) as unknown[][];
  const byContact = new Map<number, CampaignTarget[]>();
  for (const row of rows) {
    const campaignInstanceId = storedInteger(row[1]);
    if (campaignInstanceId === null) {
      countUnreadable(unreadable, 'contact_campaigns', 'malformed_campaign_instance_id');
      continue;
    }
    const contactId = row[0] as number;
    let list = byContact.get(contactId);
    if (list === undefined) byContact.set(contactId, (list = []));
    list.push({ campaignInstanceId, triggerDate: storedText(row[2]), status: storedText(row[3]) });
  }
  return byContact;
};
