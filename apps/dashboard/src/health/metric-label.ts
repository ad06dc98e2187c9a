/** Longest database text used as a label value as it is. */
const MAX_LABEL_LENGTH = 64;
const PLAIN_LABEL = new RegExp(`^[A-Za-z0-9_.:-]{1,${MAX_LABEL_LENGTH}}$`);

/**
 * A label value taken from database text. The scheduler writes short plain
 * words (`pre-scheduled`, `campaign_rate_increase`); another writer's long,
 * binary or free-form text becomes `other`, so that one bad row can neither
 * blow up a scrape nor add a series per distinct value.
 */
export const metricLabel = (databaseText: string): string => (PLAIN_LABEL.test(databaseText) ? databaseText : 'other');
