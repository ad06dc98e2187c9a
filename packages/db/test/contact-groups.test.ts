import { describe, expect, it } from 'vitest';
import { contactGroups, RowOrderError } from '../src/write/contact-groups';
import { scheduleRow } from './support/organization-fixture';

const keys = (groups: { contactId: number; rows: { emailType: string; scheduledSendDate: string }[] }[]) =>
  groups.map((group) => [group.contactId, group.rows.map((row) => `${row.emailType}@${row.scheduledSendDate}`)]);

describe('contactGroups', () => {
  it('groups rows by contact, each group in key order, a repeated key dropped and counted', () => {
    const dropped = { duplicates: 0 };
    const rows = [
      scheduleRow(1, 'birthday', '2026-06-01'),
      scheduleRow(1, 'aep', '2026-09-15'),
      scheduleRow(1, 'birthday', '2026-06-01', { priority: 99 }),
      scheduleRow(1, 'birthday', '2026-05-01'),
      scheduleRow(2, 'aep', '2026-09-15'),
      scheduleRow(5, 'aep', '2026-09-15'),
      scheduleRow(5, 'birthday', '2026-06-01'),
    ];
    expect(keys([...contactGroups(rows, dropped)])).toEqual([
      [1, ['aep@2026-09-15', 'birthday@2026-05-01', 'birthday@2026-06-01']],
      [2, ['aep@2026-09-15']],
      [5, ['aep@2026-09-15', 'birthday@2026-06-01']],
    ]);
    expect(dropped.duplicates).toBe(1);
    expect([...contactGroups([], dropped)]).toEqual([]);
  });

  it('refuses a contact after a greater one, having handed out the groups before', () => {
    const groups = contactGroups([scheduleRow(1, 'aep', '2026-09-15'), scheduleRow(3, 'aep', '2026-09-15'), scheduleRow(2, 'aep', '2026-09-15')], {
      duplicates: 0,
    });
    expect(groups.next().value?.contactId).toBe(1);
    expect(() => groups.next()).toThrow(RowOrderError);
  });

  it('reads its source lazily, one row past the group it hands out', () => {
    let taken = 0;
    function* source() {
      for (const id of [1, 1, 2, 3]) {
        taken++;
        yield scheduleRow(id, id === 1 && taken === 2 ? 'birthday' : 'aep', '2026-09-15');
      }
    }
    const groups = contactGroups(source(), { duplicates: 0 });
    expect(groups.next().value?.rows.length).toBe(2);
    expect(taken).toBe(3);
  });
});
