/**
 * An independent reading of RULES.md §2–§8 (the per-contact rules), written
 * from the rule text alone: plain loops, Date.UTC day numbers (support/reference.ts),
 * ISO strings. It shares no code with the implementation; only the plain data
 * types of src/types.ts and the parsed configuration are borrowed. Slow on
 * purpose: every rule is one obvious step, in the order RULES.md states them.
 *
 * The differential test compares what this produces with the engine's rows.
 */
import type { CampaignInstance, CampaignTarget, CampaignType, Config, ContactInputs, HistoryEmail } from '../../src/index';
import { refAnniversary, refDateOf, refEpochDay, refFnv1a, refIso, refParseDate } from './reference';

type YMD = { year: number; month: number; day: number };

/** One row the rules produce, as a person reads it. */
export interface RefRow {
  readonly emailType: string;
  /** Event date E (ISO), or null (a follow-up whose initial email has none). */
  readonly event: string | null;
  readonly send: string;
  readonly status: 'pre-scheduled' | 'skipped';
  /** The part of skip_reason before ': '. */
  readonly skipCode: string | null;
  readonly priority: number;
  readonly campaignInstanceId: number | null;
  readonly emailTemplate: string | null;
  readonly smsTemplate: string | null;
  /** Follow-ups only. */
  readonly initialEmailId: number | null;
  readonly initialEmailType: string | null;
}

export type RefOutcome =
  | { readonly usable: false; readonly reason: 'missing_email' | 'invalid_email' | 'missing_zip' | 'unknown_zip' }
  | {
      readonly usable: true;
      readonly state: string;
      readonly stateDisagrees: boolean;
      readonly badDates: string[];
      readonly rows: RefRow[];
    };

export interface RefWorld {
  readonly today: number;
  readonly config: Config;
  readonly zipToState: (zip5: number) => string | undefined;
  readonly campaignTypes: readonly CampaignType[];
  readonly campaignInstances: readonly CampaignInstance[];
  /** Told which rule decided something, for the test's coverage count. */
  readonly trace?: (what: string) => void;
}

// ---------------------------------------------------------------- §2 contacts

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const isBlank = (text: string | null): boolean => text === null || /^\s*$/.test(text);

/**
 * §2 "a disagreement is counted": the stored `contacts.state` names a state
 * other than the ZIP's. A blank one names none; case and surrounding
 * whitespace are not part of the name (packages/core/README.md, §1–§2).
 */
const storedStateNamesAnother = (stored: string | null, zipState: string): boolean => {
  if (isBlank(stored)) return false;
  const name = stored!.replace(/^\s+/, '').replace(/\s+$/, '').toUpperCase();
  return name !== zipState;
};

/** The ZIP's first five digits as a number, or null when malformed (§2). */
const refZip5 = (zip: string): number | null => {
  if (/^\d{4}$/.test(zip)) return Number(`0${zip}`);
  if (/^\d{5}$/.test(zip) || /^\d{5}-\d{4}$/.test(zip) || /^\d{9}$/.test(zip)) return Number(zip.slice(0, 5));
  return null;
};

// ---------------------------------------------------------------- §3 anniversaries

const anniversaryOf = (event: YMD, year: number): number => refAnniversary(event.month, event.day, year);

const nextOf = (event: YMD, today: number): number => {
  const thisYear = anniversaryOf(event, refDateOf(today).year);
  return thisYear >= today ? thisYear : anniversaryOf(event, refDateOf(today).year + 1);
};

const dayOf = (date: YMD): number => refEpochDay(date.year, date.month, date.day);

// ---------------------------------------------------------------- §5 windows

type StateRuleLike = { kind: string; before?: number; after?: number; use_month_start?: boolean };

interface Window {
  readonly start: number;
  readonly end: number;
}

type Exclusion = { code: 'year_round' } | { code: 'exclusion_window'; window: Window } | null;

/** §5: what excludes day `d` for this contact, if anything. */
const exclusionOn = (
  rule: StateRuleLike | undefined,
  birth: YMD | null,
  effective: YMD | null,
  preDays: number,
  d: number,
  onlyFromAnchorYear = true,
): Exclusion => {
  if (rule === undefined) return null;
  if (rule.kind === 'year_round') return { code: 'year_round' };
  let anchor: YMD | null;
  if (rule.kind === 'birthday_window') anchor = birth;
  else if (rule.kind === 'effective_date_window') anchor = effective;
  else throw new Error(`the reference knows no rule kind ${rule.kind}`);
  if (anchor === null) return null;
  const dYear = refDateOf(d).year;
  for (const y of [dYear - 1, dYear, dYear + 1]) {
    if (onlyFromAnchorYear && y < anchor.year) continue;
    const a = rule.use_month_start === true ? refEpochDay(y, anchor.month, 1) : anniversaryOf(anchor, y);
    const start = a - (rule.before ?? 0) - preDays;
    const end = a + (rule.after ?? 0);
    if (d >= start && d <= end) return { code: 'exclusion_window', window: { start, end } };
  }
  return null;
};

// ---------------------------------------------------------------- §4 candidates

interface Candidate {
  emailType: string;
  event: number | null;
  send: number;
  status: 'pre-scheduled' | 'skipped';
  skipCode: string | null;
  window: Window | null;
  priority: number;
  campaignInstanceId: number | null;
  emailTemplate: string | null;
  smsTemplate: string | null;
  respectsWindows: boolean;
  keyHash: number;
  initialEmailId: number | null;
  initialEmailType: string | null;
}

const isCampaignType = (emailType: string): boolean => emailType.startsWith('campaign_');
const isFollowupType = (emailType: string): boolean => emailType.startsWith('followup_');

/** §4 catch-up: the send day of an email whose ideal day is `ideal`. */
const placeOf = (key: string, ideal: number, event: number, today: number, spread: number): number => {
  if (ideal >= today) return ideal;
  const r = refFnv1a(key) % spread;
  let d = today;
  while (((d % spread) + spread) % spread !== r) d++;
  const hasDeadline = ideal < event;
  if (hasDeadline && d > event) return today;
  return d;
};

/** §4 history: blocked by a touched row with the same key, or of the same type on the same date. */
const blockedByHistory = (history: readonly HistoryEmail[], emailType: string, event: number, send: number): boolean =>
  history.some((row) => row.emailType === emailType && (row.eventDay === event || row.scheduledDay === send));

const templatesOf = (config: Config, emailType: string): { email: string; sms: string | null } => {
  const configured = (config.templates as Record<string, { email?: string; sms?: string | null } | undefined>)[emailType];
  return { email: configured?.email ?? emailType, sms: configured?.sms ?? null };
};

/** §8: follow-up template overrides from an instance's metadata JSON. */
const followupOverrides = (metadata: string | null): { email: string | null; sms: string | null } => {
  if (metadata === null) return { email: null, sms: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(metadata);
  } catch {
    return { email: null, sms: null };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { email: null, sms: null };
  const record = parsed as Record<string, unknown>;
  return {
    email: typeof record.followup_email_template === 'string' ? record.followup_email_template : null,
    sms: typeof record.followup_sms_template === 'string' ? record.followup_sms_template : null,
  };
};

/**
 * §7: whether an instance is active today. Only NULL is an open bound: a
 * blank or malformed active date, like an unknown campaign type, makes the
 * instance inactive (packages/core/README.md, §7 "Active dates").
 */
const isActive = (world: RefWorld, instance: CampaignInstance): boolean => {
  const type = world.campaignTypes.find((t) => t.name === instance.campaignType);
  if (type === undefined || !type.active) return false;
  const start = instance.activeStartDate === null ? null : refParseDate(instance.activeStartDate);
  const end = instance.activeEndDate === null ? null : refParseDate(instance.activeEndDate);
  if ((instance.activeStartDate !== null && start === null) || (instance.activeEndDate !== null && end === null)) {
    world.trace?.('instance with a blank or malformed active date');
    return false;
  }
  if (start !== null && dayOf(start) > world.today) return false;
  if (end !== null && world.today > dayOf(end)) return false;
  return true;
};

const followupTypeOf = (behaviour: ContactInputs['behaviour'], from: number, to: number): string => {
  const seen = behaviour.filter((b) => b.day >= from && b.day <= to).map((b) => b.kind);
  if (seen.includes('answered_with_conditions')) return 'followup_4_hq_with_yes';
  if (seen.includes('answered_no_conditions')) return 'followup_3_hq_no_yes';
  if (seen.includes('click')) return 'followup_2_clicked_no_hq';
  return 'followup_1_cold';
};

/**
 * §4–§8 for one contact. `blockHistory` false leaves history blocking out
 * (the test uses it to aim generated history rows at real candidates).
 */
export const refScheduleContact = (world: RefWorld, inputs: ContactInputs, blockHistory = true): RefOutcome => {
  const { contact } = inputs;
  const { config, today } = world;
  // §2 usability, first reason that applies.
  if (isBlank(contact.email)) return { usable: false, reason: 'missing_email' };
  if (!EMAIL_PATTERN.test(contact.email!)) return { usable: false, reason: 'invalid_email' };
  if (isBlank(contact.zipCode)) return { usable: false, reason: 'missing_zip' };
  const zip5 = refZip5(contact.zipCode!);
  const state = zip5 === null ? undefined : world.zipToState(zip5);
  if (state === undefined) return { usable: false, reason: 'unknown_zip' };

  // §2 dates.
  const badDates: string[] = [];
  let birth: YMD | null = null;
  if (!isBlank(contact.birthDate)) {
    const parsed = refParseDate(contact.birthDate);
    if (parsed === null || dayOf(parsed) > today) badDates.push('invalid_birth_date');
    else birth = parsed;
  }
  let effective: YMD | null = null;
  if (!isBlank(contact.effectiveDate)) {
    const parsed = refParseDate(contact.effectiveDate);
    // Past 9979-12-31 a schedule would reach year 10000, which YYYY-MM-DD cannot hold.
    if (parsed === null || parsed.year > 9979) badDates.push('invalid_effective_date');
    else effective = parsed;
  }

  const rule = (config.state_rules as Record<string, StateRuleLike>)[state];
  const pre = config.timing.pre_window_exclusion_days;
  const spread = config.load_balancing.catch_up_spread_days;
  const history = blockHistory ? inputs.history : [];
  const trace = world.trace ?? ((): void => undefined);
  const excludedOn = (d: number): Exclusion => exclusionOn(rule, birth, effective, pre, d);

  const candidates: Candidate[] = [];
  /** A dated (non-follow-up) candidate after catch-up, history and the window check; null when history blocks it. */
  const build = (
    emailType: string,
    event: number,
    ideal: number,
    fields: { priority: number; campaignInstanceId: number | null; emailTemplate: string | null; smsTemplate: string | null; respectsWindows: boolean },
  ): Candidate | null => {
    const key = `${contact.id}|${emailType}|${refIso(event)}`;
    const send = placeOf(key, ideal, event, today, spread);
    if (ideal < today) trace(ideal < event && placeOf(key, ideal, Number.MAX_SAFE_INTEGER, today, spread) > event ? 'catch-up past deadline: today' : 'catch-up');
    if (history.some((row) => row.emailType === emailType && row.eventDay === event)) trace(`history blocks key: ${emailType.replace(/_[a-z]+$/, '')}`);
    else if (history.some((row) => row.emailType === emailType && row.scheduledDay === send)) trace(`history blocks date: ${emailType.replace(/_[a-z]+$/, '')}`);
    if (blockedByHistory(history, emailType, event, send)) return null;
    const exclusion = fields.respectsWindows ? excludedOn(send) : null;
    if (fields.respectsWindows && exclusion === null && exclusionOn(rule, birth, effective, pre, send, false) !== null) trace('Y ≥ A.year spares a date');
    if (!fields.respectsWindows && excludedOn(send) !== null) trace('campaign ignores window');
    if (exclusion !== null && exclusion.code === 'exclusion_window') {
      trace(`window skip: ${rule?.kind ?? '-'}${rule?.use_month_start === true ? ' month-start' : ''}`);
      const y = refDateOf(send).year;
      if (exclusion.window.start < refEpochDay(y, 1, 1) || exclusion.window.end > refEpochDay(y, 12, 31)) trace('window crosses a year end');
    }
    return {
      emailType,
      event,
      send,
      status: exclusion === null ? 'pre-scheduled' : 'skipped',
      skipCode: exclusion === null ? null : exclusion.code,
      window: exclusion !== null && exclusion.code === 'exclusion_window' ? exclusion.window : null,
      keyHash: refFnv1a(key),
      initialEmailId: null,
      initialEmailType: null,
      ...fields,
    };
  };
  const add = (...args: Parameters<typeof build>): void => {
    const made = build(...args);
    if (made !== null) candidates.push(made);
  };
  const anniversaryFields = (type: 'birthday' | 'effective_date' | 'aep' | 'post_window') => {
    const templates = templatesOf(config, type);
    return { priority: config.priorities[type], campaignInstanceId: null, emailTemplate: templates.email, smsTemplate: templates.sms, respectsWindows: true };
  };

  // birthday
  if (birth !== null) {
    const e = nextOf(birth, today);
    add('birthday', e, e - config.timing.birthday_email_days_before, anniversaryFields('birthday'));
  }
  // effective_date; a policy not yet in force is its own next occurrence
  if (effective !== null) {
    let e = nextOf(effective, today);
    if (dayOf(effective) > e) {
      e = dayOf(effective);
      trace('effective date not yet in force');
    }
    add('effective_date', e, e - config.timing.effective_date_days_before, anniversaryFields('effective_date'));
  }
  // aep
  const aepEvents: number[] = [];
  for (const { month, day } of config.aep.dates) {
    const year = refDateOf(today).year;
    const thisYear = refAnniversary(month, day, year);
    const e = thisYear >= today ? thisYear : refAnniversary(month, day, year + 1);
    if (config.aep.years !== null && !config.aep.years.includes(refDateOf(e).year)) continue;
    if (!aepEvents.includes(e)) aepEvents.push(e);
  }
  for (const e of aepEvents) add('aep', e, e, anniversaryFields('aep'));

  // campaigns (§7)
  for (const instance of world.campaignInstances) {
    if (!isActive(world, instance)) continue;
    const type = world.campaignTypes.find((t) => t.name === instance.campaignType)!;
    const start = instance.activeStartDate === null ? null : refParseDate(instance.activeStartDate);
    const defaultTrigger = start === null ? today : dayOf(start);
    const rows: CampaignTarget[] = inputs.targets.filter(
      (t) => t.campaignInstanceId === instance.id && (t.status === 'pending' || t.status === 'scheduled'),
    );
    const triggers: number[] = rows.map((t) => {
      if (isBlank(t.triggerDate)) return defaultTrigger;
      const parsed = refParseDate(t.triggerDate);
      if (parsed === null) throw new Error(`the test generates no malformed trigger date: ${t.triggerDate}`);
      return dayOf(parsed);
    });
    if (type.targetAllContacts && rows.length === 0) {
      triggers.push(defaultTrigger);
      if (inputs.targets.some((t) => t.campaignInstanceId === instance.id)) trace('target-all with only a non-target row');
    }
    for (const e of triggers) {
      add(`campaign_${type.name}`, e, e - type.daysBeforeEvent, {
        priority: type.priority,
        campaignInstanceId: instance.id,
        emailTemplate: instance.emailTemplate,
        smsTemplate: instance.smsTemplate,
        respectsWindows: type.respectExclusionWindows,
      });
    }
  }

  // §7 conflicts: campaign emails of one date. Per (type, date) one row only;
  // among those not skipped, the best wins and the others are skipped.
  const better = (a: Candidate, b: Candidate): number =>
    a.priority !== b.priority ? a.priority - b.priority : a.campaignInstanceId! !== b.campaignInstanceId! ? a.campaignInstanceId! - b.campaignInstanceId! : a.keyHash - b.keyHash;
  const campaigns = candidates.filter((c) => isCampaignType(c.emailType));
  const dropped = new Set<Candidate>();
  for (const c of campaigns) {
    const twins = campaigns.filter((o) => o.emailType === c.emailType && o.send === c.send && o.status === c.status);
    const best = [...twins].sort(better)[0]!;
    if (best !== c) {
      dropped.add(c);
      trace(`same-type campaign twin dropped (${c.status})`);
    }
  }
  const sameTypeMixedStatus = campaigns.filter((c) =>
    campaigns.some((o) => o !== c && o.emailType === c.emailType && o.send === c.send && o.status !== c.status),
  );
  if (sameTypeMixedStatus.length > 0) throw new Error('two campaign emails of one type and date with different statuses: not expected');
  const kept = campaigns.filter((c) => !dropped.has(c) && c.status === 'pre-scheduled');
  for (const c of kept) {
    const sameDay = kept.filter((o) => o.send === c.send);
    const best = [...sameDay].sort(better)[0]!;
    if (best !== c) {
      c.status = 'skipped';
      c.skipCode = 'campaign_conflict';
      trace(`campaign conflict among ${sameDay.length}`);
      c.window = null;
    }
  }
  const dated = candidates.filter((c) => !dropped.has(c));

  // §6 post-window emails, one per dated window that caused a skip; a
  // post-window email skipped by a later window earns that window's own.
  const windows: Window[] = [];
  const noteWindow = (w: Window | null): void => {
    if (w !== null && !windows.some((o) => o.start === w.start && o.end === w.end)) windows.push(w);
  };
  for (const c of dated) if (c.skipCode === 'exclusion_window') noteWindow(c.window);
  for (let k = 0; k < windows.length; k++) {
    if (k > 20) throw new Error('post-window emails do not end');
    const e = windows[k]!.end + 1;
    const made = build('post_window', e, e, anniversaryFields('post_window'));
    if (made === null) {
      trace('post_window blocked by history');
      continue;
    }
    if (made.status === 'skipped') trace(`post_window skipped: ${made.skipCode}`);
    dated.push(made);
    if (made.skipCode === 'exclusion_window') noteWindow(made.window);
  }

  // §8 follow-ups
  const lookback = config.timing.followup_lookback_days;
  const followups: Candidate[] = [];
  for (const initial of inputs.history) {
    if (initial.status !== 'sent' && initial.status !== 'delivered') continue;
    if (initial.sentDay < today - lookback || initial.sentDay > today) continue;
    let campaignType: CampaignType | null = null;
    if (isCampaignType(initial.emailType)) {
      campaignType = world.campaignTypes.find((t) => `campaign_${t.name}` === initial.emailType) ?? null;
      if (campaignType === null || !campaignType.enableFollowups) continue;
    } else if (!['birthday', 'effective_date', 'aep', 'post_window'].includes(initial.emailType)) continue;
    if (history.some((row) => isFollowupType(row.emailType) && row.initialEmailId === initial.id)) {
      trace('follow-up exists already');
      continue;
    }
    const emailType = followupTypeOf(inputs.behaviour, initial.sentDay, today);
    let send = initial.sentDay + config.timing.followup_delay_days;
    if (send < today) send = today + 1;
    if (history.some((row) => row.emailType === emailType && row.scheduledDay === send)) {
      trace('history blocks date: followup');
      continue;
    }
    if (campaignType !== null) {
      trace('follow-up of a campaign email');
      if (!campaignType.active) trace('follow-up of an inactive campaign type');
      if (!world.campaignInstances.some((i) => i.id === initial.campaignInstanceId)) trace('follow-up without its parent instance');
      else if (!isActive(world, world.campaignInstances.find((i) => i.id === initial.campaignInstanceId)!)) trace('follow-up of an inactive instance');
    }
    const templates = templatesOf(config, emailType);
    let emailTemplate: string | null = templates.email;
    let smsTemplate: string | null = templates.sms;
    if (campaignType !== null && initial.campaignInstanceId !== null) {
      const parent = world.campaignInstances.find((i) => i.id === initial.campaignInstanceId);
      if (parent !== undefined) {
        const override = followupOverrides(parent.metadata);
        if (override.email !== null) emailTemplate = override.email;
        if (override.sms !== null) smsTemplate = override.sms;
        if (override.email !== null || override.sms !== null) trace('follow-up template override');
      }
    }
    const exclusion = excludedOn(send);
    followups.push({
      emailType,
      event: initial.eventDay,
      send,
      status: exclusion === null ? 'pre-scheduled' : 'skipped',
      skipCode: exclusion === null ? null : exclusion.code,
      window: null,
      priority: campaignType !== null ? campaignType.priority : config.priorities.followup,
      campaignInstanceId: campaignType !== null ? initial.campaignInstanceId : null,
      emailTemplate,
      smsTemplate,
      respectsWindows: true,
      keyHash: refFnv1a(`${contact.id}|${emailType}|${initial.id}`),
      initialEmailId: initial.id,
      initialEmailType: initial.emailType,
    });
  }
  const keptFollowups = followups.filter((f) => {
    const rivals = followups.filter((o) => o.emailType === f.emailType && o.send === f.send);
    const best = [...rivals].sort((a, b) => (a.priority !== b.priority ? a.priority - b.priority : a.initialEmailId! - b.initialEmailId!))[0]!;
    if (best !== f) trace('follow-up twin dropped');
    return best === f;
  });

  const rows: RefRow[] = [...dated, ...keptFollowups].map((c) => ({
    emailType: c.emailType,
    event: c.event === null ? null : refIso(c.event),
    send: refIso(c.send),
    status: c.status,
    skipCode: c.skipCode,
    priority: c.priority,
    campaignInstanceId: c.campaignInstanceId,
    emailTemplate: c.emailTemplate,
    smsTemplate: c.smsTemplate,
    initialEmailId: c.initialEmailId,
    initialEmailType: c.initialEmailType,
  }));
  return {
    usable: true,
    state,
    stateDisagrees: storedStateNamesAnother(contact.state, state),
    badDates,
    rows,
  };
};

/** One line per row, for comparing sets. */
export const refRowLine = (row: RefRow): string =>
  [
    row.emailType,
    `E=${row.event ?? '-'}`,
    `send=${row.send}`,
    row.status,
    `skip=${row.skipCode ?? '-'}`,
    `p=${row.priority}`,
    `ci=${row.campaignInstanceId ?? '-'}`,
    `tpl=${row.emailTemplate ?? '-'}/${row.smsTemplate ?? '-'}`,
    `init=${row.initialEmailId ?? '-'}/${row.initialEmailType ?? '-'}`,
  ].join(' ');
