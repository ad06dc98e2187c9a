/**
 * `pnpm bench:core [contacts]`: candidate generation and the finalizer steps
 * over synthetic contacts in memory. The last line is a JSON object of the figures.
 */
import {
  CandidateTable,
  createSchedulingContext,
  defaultConfig,
  finalizeRun,
  parseIsoDate,
  scheduleContact,
  type ContactInputs,
} from '@scheduler/core';
import { syntheticCampaigns, syntheticContacts, syntheticZipLookup } from './synthetic-organization';

const contactCount = Number(process.argv[2] ?? process.env.BENCH_CONTACTS ?? 1_000_000);
const today = parseIsoDate('2026-11-28')!;
const config = defaultConfig();
const campaigns = syntheticCampaigns();
const { context } = createSchedulingContext({
  today,
  config,
  zipToState: syntheticZipLookup(),
  campaignTypes: campaigns.types,
  campaignInstances: campaigns.instances,
});

const inputs: ContactInputs[] = [...syntheticContacts(contactCount, today)];
const seconds = (from: bigint): number => Number(process.hrtime.bigint() - from) / 1e9;

// Warm the JIT on a slice, as a long-running worker would be.
for (let i = 0; i < Math.min(20_000, inputs.length); i++) scheduleContact(context, inputs[i]!);

const table = new CandidateTable();
const generationStart = process.hrtime.bigint();
for (const contact of inputs) {
  const outcome = scheduleContact(context, contact);
  if (outcome.usable) table.addContact(outcome.contactId, outcome.exclusion, outcome.emails, contact.history);
}
const generationSeconds = seconds(generationStart);

const finalizeStart = process.hrtime.bigint();
const result = finalizeRun({ table, today, config, contactRowCount: contactCount, existing: new Map() });
const finalizeSeconds = seconds(finalizeStart);

const figures = {
  contacts: contactCount,
  candidates: table.emailCount,
  candidate_generation_s: Number(generationSeconds.toFixed(3)),
  contacts_per_second_one_core: Math.round(contactCount / generationSeconds),
  finalize_s: Number(finalizeSeconds.toFixed(3)),
  finalize_candidates_per_second: Math.round(table.emailCount / finalizeSeconds),
  smoothed: result.smoothed,
  moved_by_daily_cap: result.movedByDailyCap,
  frequency_capped: result.frequencyCapped.length,
  peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
};
console.log(`candidate generation: ${figures.contacts_per_second_one_core.toLocaleString('en-US')} contacts/s on one core`);
console.log(`finalizer: ${figures.candidates.toLocaleString('en-US')} candidates in ${figures.finalize_s} s`);
console.log(JSON.stringify(figures));
