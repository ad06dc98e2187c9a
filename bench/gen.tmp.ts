import { createSchedulingContext, defaultConfig, parseIsoDate, scheduleContact, CandidateTable, type ContactInputs } from '@scheduler/core';
import { syntheticCampaigns, syntheticContacts, syntheticZipLookup } from './synthetic-organization';
const today = parseIsoDate('2026-11-28')!;
const c = syntheticCampaigns();
const { context } = createSchedulingContext({ today, config: defaultConfig(), zipToState: syntheticZipLookup(), campaignTypes: c.types, campaignInstances: c.instances });
const inputs: ContactInputs[] = [...syntheticContacts(100000, today)];
for (let r = 0; r < 6; r++) {
  const table = new CandidateTable();
  const t0 = performance.now();
  for (const x of inputs) { const o = scheduleContact(context, x); if (o.usable && process.env.TABLE) table.addContact(o.contactId, o.exclusion, o.emails, x.history); }
  console.log(r, Math.round(inputs.length / ((performance.now() - t0) / 1000)));
}
