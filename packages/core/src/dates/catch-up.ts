import { NO_DAY } from './epoch-day';

/**
 * The send day of an email whose ideal day may be past (RULES.md §4). A late
 * email goes to the first day ≥ today whose day number is ≡ hash (mod spread),
 * so its date does not slide from one nightly run to the next; one due before
 * its event that would land after its deadline goes out today.
 */
export const catchUpDay = (
  idealDay: number,
  deadline: number,
  today: number,
  spreadDays: number,
  keyHash: number,
): number => {
  if (idealDay >= today) return idealDay;
  const residue = keyHash % spreadDays;
  const offset = (((residue - (today % spreadDays)) % spreadDays) + spreadDays) % spreadDays;
  const day = today + offset;
  return deadline !== NO_DAY && day > deadline ? today : day;
};
