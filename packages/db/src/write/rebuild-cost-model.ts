import type { OrganizationDb } from '../connection/open-organization-db';
import { readScheduleTableShape } from './schedule-table-shape';

/*
 * Relative costs per row, from reference/sqlite-floor.md: deleting a row in
 * place (four index entries, scattered) costs about three sorted inserts;
 * inserting in place with every index present a little more than one;
 * inserting into a fresh table and building its indexes once, a little less.
 * Copying a sender's row into the rebuilt table costs about 1.5 (unsorted).
 */
const IN_PLACE_DELETE = 3;
const IN_PLACE_INSERT = 1.1;
const REBUILD_INSERT = 0.9;
const REBUILD_COPY = 1.5;

/**
 * Decides, from the first contacts of a run, whether changing the schedule
 * row by row or rebuilding the table costs less, extrapolating what those
 * contacts showed to the whole organization.
 */
export class RebuildCostModel {
  private visited = 0;
  private changed = 0;
  private newRows = 0;
  private oldRows = 0;

  constructor(
    private readonly db: OrganizationDb,
    private readonly policy: 'auto' | 'never' | 'always',
  ) {}

  observe(changed: boolean, newRows: number, oldRows: number): void {
    this.visited++;
    if (changed) this.changed++;
    this.newRows += newRows;
    this.oldRows += oldRows;
  }

  favoursRebuild(): boolean {
    if (this.policy === 'never' || this.visited === 0) return false;
    if (readScheduleTableShape(this.db.sqlite).rebuildRefusal !== null) return false;
    if (this.policy === 'always') return true;
    // Both costs grow with the organization alike but for the sender's rows, which only add to a rebuild's:
    // when the probe alone already favours changing in place, the two counts (a scan each) are not needed.
    const changedShare = this.changed / this.visited;
    if (changedShare * (this.oldRows * IN_PLACE_DELETE + this.newRows * IN_PLACE_INSERT) <= this.newRows * REBUILD_INSERT) return false;
    const { sqlite } = this.db;
    const contacts = sqlite.prepare('SELECT count(*) FROM contacts').pluck().get() as number;
    const scale = Math.max(contacts, this.visited) / this.visited;
    const senderRows = sqlite
      .prepare(`SELECT count(*) FROM email_schedules WHERE status NOT IN ('pre-scheduled', 'skipped')`)
      .pluck()
      .get() as number;
    const inPlace = changedShare * scale * (this.oldRows * IN_PLACE_DELETE + this.newRows * IN_PLACE_INSERT);
    const rebuild = senderRows * REBUILD_COPY + scale * this.newRows * REBUILD_INSERT;
    return rebuild < inPlace;
  }
}
