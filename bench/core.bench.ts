/**
 * `pnpm bench:core [contacts]`: candidate generation and the finalizer steps
 * over synthetic contacts in memory. The last line is a JSON object of the figures.
 */
import {
  CandidateTable,
  contactPlacement,
  createSchedulingContext,
  defaultConfig,
  finalizeRun,
  parseIsoDate,
  scheduleContactInto,
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

const seconds = (from: bigint): number => Number(process.hrtime.bigint() - from) / 1e9;
const BATCH = 10_000; // contacts per chunk job, as the fleet reads them

// As in the fleet: inputs are read a batch at a time (made here outside the
// timed part), each chunk fills its thread's table (emptied between chunks),
// and the finalizer appends the chunks' tables into one sized for the whole run.
const table = new CandidateTable({ contacts: contactCount, emails: contactCount * 4 });
const chunk = new CandidateTable({ contacts: BATCH, emails: BATCH * 4 });
let generationSeconds = 0;
// CPU time as well as wall time: on a shared machine the wall clock also
// counts time the core spent on other processes.
let generationCpuSeconds = 0;
const cpuSeconds = (from: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1e6;
};
let batch: ContactInputs[] = [];
const computeBatch = (): void => {
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  chunk.clear();
  const placement = contactPlacement(context, chunk);
  for (const contact of batch) scheduleContactInto(placement, contact);
  generationSeconds += seconds(start);
  generationCpuSeconds += cpuSeconds(cpuStart);
  table.append(chunk);
  batch = [];
};
for (const contact of syntheticContacts(contactCount, today)) {
  batch.push(contact);
  if (batch.length === BATCH) computeBatch();
}
computeBatch();

const finalizeStart = process.hrtime.bigint();
const finalizeCpuStart = process.cpuUsage();
const result = finalizeRun({ table, today, config, contactRowCount: contactCount, existing: new Map() });
const finalizeSeconds = seconds(finalizeStart);
const finalizeCpuSeconds = cpuSeconds(finalizeCpuStart);

const figures = {
  contacts: contactCount,
  candidates: table.emailCount,
  candidate_generation_s: Number(generationSeconds.toFixed(3)),
  contacts_per_second_one_core: Math.round(contactCount / generationSeconds),
  candidate_generation_cpu_s: Number(generationCpuSeconds.toFixed(3)),
  contacts_per_cpu_second: Math.round(contactCount / generationCpuSeconds),
  finalize_s: Number(finalizeSeconds.toFixed(3)),
  finalize_candidates_per_second: Math.round(table.emailCount / finalizeSeconds),
  finalize_cpu_s: Number(finalizeCpuSeconds.toFixed(3)),
  finalize_s_per_2_5m_candidates: Number(((finalizeSeconds * 2_500_000) / table.emailCount).toFixed(3)),
  smoothed: result.smoothed,
  moved_by_daily_cap: result.movedByDailyCap,
  frequency_capped: result.frequencyCapped.length,
  peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
};
console.log(`candidate generation: ${figures.contacts_per_second_one_core.toLocaleString('en-US')} contacts/s on one core`);
console.log(`finalizer: ${figures.candidates.toLocaleString('en-US')} candidates in ${figures.finalize_s} s`);
console.log(JSON.stringify(figures));
