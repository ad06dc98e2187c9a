/**
 * Small builders for the rule tests: a fake ZIP table, contacts, campaigns,
 * history rows and a scheduling context per test. Dates are written as ISO
 * strings everywhere a person reads them.
 */
import {
  CandidateTable,
  createSchedulingContext,
  formatIsoDate,
  NO_DAY,
  parseConfig,
  parseIsoDate,
  scheduleContact,
  type Behaviour,
  type CampaignInstance,
  type CampaignTarget,
  type CampaignType,
  type ConfigInput,
  type ContactInputs,
  type ContactRecord,
  type EmailCandidate,
  type Exclusion,
  type HistoryEmail,
  type SchedulingContext,
  type HistoryStatus,
  type ZipLookup,
} from '../../src/index';

/** A calendar date as a day number; a typo fails the test instead of running it on null. */
export const day = (iso: string): number => {
  const parsed = parseIsoDate(iso);
  if (parsed === null) throw new Error(`not a calendar date: ${iso}`);
  return parsed;
};

export const iso = (dayNumber: number): string => formatIsoDate(dayNumber);

/** One ZIP per state code the tests use (the real data set has about 41k). */
export const ZIP_OF: Readonly<Record<string, string>> = {
  IL: '60601',
  TX: '75201',
  CA: '90210',
  NV: '89101',
  MO: '63101',
  ID: '83702',
  KY: '40202',
  MD: '21201',
  OK: '73102',
  OR: '97201',
  VA: '23219',
  CT: '06103',
  MA: '02108',
  NY: '10001',
  WA: '98101',
  DC: '20001',
  PR: '00901',
  AE: '09001',
  AP: '96201',
};

const STATE_OF_ZIP = new Map(Object.entries(ZIP_OF).map(([state, zip]) => [Number(zip), state]));

export const fakeZipLookup: ZipLookup = (zip5) => STATE_OF_ZIP.get(zip5);

/** A usable contact living in `state` (by ZIP), with no dates unless given. */
export const contactIn = (state: string, fields: Partial<ContactRecord> = {}): ContactRecord => {
  const zipCode = ZIP_OF[state];
  if (zipCode === undefined) throw new Error(`no test ZIP for ${state}`);
  const id = fields.id ?? 1;
  return { id, email: `c${id}@example.com`, zipCode, state: null, birthDate: null, effectiveDate: null, ...fields };
};

export const inputsOf = (
  contact: ContactRecord,
  more: { history?: HistoryEmail[]; targets?: CampaignTarget[]; behaviour?: Behaviour[] } = {},
): ContactInputs => ({ contact, history: more.history ?? [], targets: more.targets ?? [], behaviour: more.behaviour ?? [] });

/** A configuration without AEP emails, for tests about other emails. */
export const NO_AEP: ConfigInput = { aep: { dates: [] } };

export interface WorldOptions {
  readonly today: string;
  readonly config?: ConfigInput;
  readonly campaignTypes?: CampaignType[];
  readonly campaignInstances?: CampaignInstance[];
}

export const world = (options: WorldOptions): SchedulingContext =>
  createSchedulingContext({
    today: day(options.today),
    config: parseConfig(options.config ?? {}),
    zipToState: fakeZipLookup,
    campaignTypes: options.campaignTypes ?? [],
    campaignInstances: options.campaignInstances ?? [],
  }).context;

export const campaignType = (name: string, fields: Partial<CampaignType> = {}): CampaignType => ({
  name,
  respectExclusionWindows: true,
  enableFollowups: true,
  daysBeforeEvent: 0,
  targetAllContacts: false,
  priority: 10,
  active: true,
  ...fields,
});

export const campaignInstance = (id: number, type: string, fields: Partial<CampaignInstance> = {}): CampaignInstance => ({
  id,
  campaignType: type,
  instanceName: `${type} #${id}`,
  emailTemplate: `${type}_email`,
  smsTemplate: `${type}_sms`,
  activeStartDate: null,
  activeEndDate: null,
  metadata: null,
  ...fields,
});

export const target = (campaignInstanceId: number, triggerDate: string | null, status: string | null = 'pending'): CampaignTarget => ({
  campaignInstanceId,
  triggerDate,
  status,
});

/** A row the sender holds; `sent` defaults to `scheduled` (no actual send datetime). */
export const historyRow = (fields: {
  id: number;
  emailType: string;
  status: HistoryStatus;
  scheduled: string;
  sent?: string;
  event?: string | null;
  campaignInstanceId?: number | null;
  initialEmailId?: number | null;
}): HistoryEmail => ({
  id: fields.id,
  emailType: fields.emailType,
  status: fields.status,
  scheduledDay: day(fields.scheduled),
  sentDay: day(fields.sent ?? fields.scheduled),
  eventDay: fields.event == null ? null : day(fields.event),
  campaignInstanceId: fields.campaignInstanceId ?? null,
  initialEmailId: fields.initialEmailId ?? null,
});

export const behaviourOn = (kind: Behaviour['kind'], on: string): Behaviour => ({ kind, day: day(on) });

/** The emails of a usable contact, before the organization-wide steps. */
export const emailsFor = (context: SchedulingContext, inputs: ContactInputs): EmailCandidate[] => {
  const outcome = scheduleContact(context, inputs);
  if (!outcome.usable) throw new Error(`contact ${outcome.contactId} is unusable: ${outcome.reason}`);
  return outcome.emails;
};

/** One sorted line per email, `type date status`, e.g. `birthday 2026-06-01 pre-scheduled`. */
export const linesOf = (emails: readonly EmailCandidate[]): string[] =>
  emails.map((email) => `${email.emailType} ${iso(email.day)} ${email.status}`).sort();

/** The single email of `emailType`; fails when there is none or more than one. */
export const onlyOf = (emails: readonly EmailCandidate[], emailType: string): EmailCandidate => {
  const found = emails.filter((email) => email.emailType === emailType);
  if (found.length !== 1) throw new Error(`expected one ${emailType} email, found ${found.length}`);
  return found[0]!;
};

/** A candidate for the finalizer tests, as the per-contact rules would hand it over. */
export const candidate = (fields: {
  type: string;
  on: string;
  deadline?: string;
  priority?: number;
  keyHash?: number;
  status?: 'pre-scheduled' | 'skipped';
  followup?: boolean;
  respectsWindows?: boolean;
}): EmailCandidate => ({
  emailType: fields.type,
  eventDay: null,
  day: day(fields.on),
  deadline: fields.deadline === undefined ? NO_DAY : day(fields.deadline),
  status: fields.status ?? 'pre-scheduled',
  skipCode: fields.status === 'skipped' ? 'exclusion_window' : null,
  skipReason: fields.status === 'skipped' ? 'exclusion_window: test' : null,
  priority: fields.priority ?? 10,
  keyHash: fields.keyHash ?? 0,
  tieBreaker: 0,
  respectsWindows: fields.respectsWindows ?? true,
  isFollowup: fields.followup ?? false,
  campaignInstanceId: null,
  emailTemplate: null,
  smsTemplate: null,
  metadata: null,
});

export interface TableContact {
  readonly id: number;
  readonly exclusion?: Exclusion | null;
  readonly emails: readonly EmailCandidate[];
  readonly history?: readonly HistoryEmail[];
}

/** A finalizer table; emails are numbered in the order given, contact by contact. */
export const tableOf = (contacts: readonly TableContact[]): CandidateTable => {
  const table = new CandidateTable();
  for (const contact of contacts) table.addContact(contact.id, contact.exclusion ?? null, contact.emails, contact.history ?? []);
  return table;
};

/** Each email's final `date status`, in table order. */
export const tableLines = (table: CandidateTable): string[] => {
  const lines: string[] = [];
  for (let e = 0; e < table.emailCount; e++) {
    lines.push(`${iso(table.day[e]!)} ${table.status[e] === 0 ? 'pre-scheduled' : 'skipped'}`);
  }
  return lines;
};
