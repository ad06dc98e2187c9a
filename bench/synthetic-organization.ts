import { epochDay, formatIsoDate, type CampaignInstance, type CampaignType, type ContactInputs } from '@scheduler/core';

/** A deterministic PRNG (mulberry32): benchmarks must be repeatable. */
export const mulberry32 = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** A few states with their rule kinds, weighted roughly like the 65+ population. */
const STATES: [string, number, number][] = [
  // [state, weight, zip5 standing for it]
  ['CA', 12, 90210], ['FL', 9, 33101], ['TX', 8, 75001], ['NY', 6, 10001], ['PA', 5, 19103],
  ['OH', 4, 43004], ['IL', 4, 60601], ['MI', 3, 48201], ['NC', 3, 27601], ['GA', 3, 30301],
  ['NV', 1, 89101], ['MO', 2, 63101], ['VA', 3, 22201], ['WA', 2, 98101], ['MA', 2, 2108],
  ['CT', 1, 6101], ['OR', 1, 97201], ['KY', 1, 40202], ['ID', 1, 83701], ['OK', 1, 73101], ['MD', 2, 21201],
];

export const syntheticZipLookup = (): ((zip5: number) => string | undefined) => {
  const byZip = new Map(STATES.map(([state, , zip]) => [zip, state]));
  return (zip5) => byZip.get(zip5);
};

export const syntheticCampaigns = (): { types: CampaignType[]; instances: CampaignInstance[] } => ({
  types: [
    { name: 'rate_increase', respectExclusionWindows: true, enableFollowups: true, daysBeforeEvent: 14, targetAllContacts: false, priority: 1, active: true },
    { name: 'initial_blast', respectExclusionWindows: false, enableFollowups: false, daysBeforeEvent: 0, targetAllContacts: false, priority: 10, active: true },
  ],
  instances: [
    { id: 1, campaignType: 'rate_increase', instanceName: 'q4', emailTemplate: 'ri_v2', smsTemplate: null, activeStartDate: null, activeEndDate: null, metadata: null },
    { id: 2, campaignType: 'initial_blast', instanceName: 'hello', emailTemplate: 'blast', smsTemplate: 'blast_sms', activeStartDate: null, activeEndDate: null, metadata: null },
  ],
});

/**
 * Text as SQLite hands it over: one flat string. Strings built by template
 * literals are chains of pieces that V8 joins on first read, a cost no row
 * read from a database carries.
 */
const flat = (text: string): string => {
  text.charCodeAt(0);
  return text;
};

/** What a contact without history, targets or behaviour carries, shared as the db reader shares it. */
const EMPTY: readonly never[] = [];

/** `count` contacts shaped like a real organization's, about 2.6 emails each. */
export function* syntheticContacts(count: number, today: number, seed = 42): Generator<ContactInputs> {
  const random = mulberry32(seed);
  const totalWeight = STATES.reduce((sum, [, weight]) => sum + weight, 0);
  const pickZip = (): number => {
    let r = random() * totalWeight;
    for (const [, weight, zip] of STATES) if ((r -= weight) < 0) return zip;
    return STATES[0]![2];
  };
  const base = epochDay(1930, 1, 1);
  for (let id = 1; id <= count; id++) {
    const zip = pickZip();
    const birth = base + Math.floor(random() * 365 * 31);
    const effective = epochDay(2010 + Math.floor(random() * 17), 1 + Math.floor(random() * 12), 1);
    const campaign = random() < 0.05;
    yield {
      contact: {
        id,
        email: flat(`c${id}@example.com`),
        zipCode: String(zip).padStart(5, '0'),
        state: null,
        birthDate: flat(formatIsoDate(birth)),
        effectiveDate: random() < 0.8 ? flat(formatIsoDate(effective)) : null,
      },
      history: EMPTY,
      targets: campaign ? [{ campaignInstanceId: 1, triggerDate: flat(formatIsoDate(today + Math.floor(random() * 60))), status: 'pending' }] : EMPTY,
      behaviour: EMPTY,
    };
  }
}
