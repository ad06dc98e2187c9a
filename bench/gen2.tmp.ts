import { createSchedulingContext, defaultConfig, parseIsoDate, scheduleContact, CandidateTable, type ContactInputs, type ContactOutcome } from '@scheduler/core';
import { syntheticCampaigns, syntheticContacts, syntheticZipLookup } from './synthetic-organization';
const today = parseIsoDate('2026-11-28')!;
const c = syntheticCampaigns();
const { context } = createSchedulingContext({ today, config: defaultConfig(), zipToState: syntheticZipLookup(), campaignTypes: c.types, campaignInstances: c.instances });
const inputs: ContactInputs[] = [...syntheticContacts(100000, today)];
const outs = inputs.map((x) => scheduleContact(context, x));
for (let r = 0; r < 6; r++) {
  const table = new CandidateTable();
  const t0 = performance.now();
  for (const o of outs) { if (o.usable) table.addContact(o.contactId, o.exclusion, o.emails, []); }
  console.log(r, Math.round(inputs.length / ((performance.now() - t0) / 1000)));
}
