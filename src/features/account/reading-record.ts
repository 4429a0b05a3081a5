// 読書記録: a patron's own list of returned materials, kept only while they have it turned on. The rows are
// written by the return itself (reservations/loans.ts returnStatements); here they are read and deleted,
// always by the patron's own id: no other module reads this table.
import type { D1 } from "../../db/client";

export interface ReadingEntry {
  id: number;
  materialId: number | null;
  title: string;
  author: string | null;
  loanedOn: string;
  returnedOn: string;
}

export interface ReadingRecord {
  enabled: boolean;
  entries: ReadingEntry[];
}

/** Whether it is on and every entry, newest return first, in one round trip. */
export async function readingRecordOf(db: D1, patronId: number): Promise<ReadingRecord> {
  const [patron, entries] = await db.batch([
    db.prepare("SELECT reading_history_opt_in AS enabled FROM patrons WHERE id = ?").bind(patronId),
    db
      .prepare(
        `SELECT id, material_id AS materialId, title, author, loaned_on AS loanedOn, returned_on AS returnedOn
         FROM reading_records WHERE patron_id = ? ORDER BY returned_on DESC, id DESC`,
      )
      .bind(patronId),
  ]);
  return {
    enabled: (patron?.results[0] as { enabled: number } | undefined)?.enabled === 1,
    entries: (entries?.results ?? []) as ReadingEntry[],
  };
}

/** Turns it on (returns from now on are kept) or off, which deletes every entry in the same transaction. */
export async function setReadingRecord(db: D1, patronId: number, enabled: boolean, now: number): Promise<void> {
  await db.batch([
    db.prepare("UPDATE patrons SET reading_history_opt_in = ?, updated_at = ? WHERE id = ?").bind(enabled ? 1 : 0, now, patronId),
    db.prepare("DELETE FROM reading_records WHERE patron_id = ? AND ? = 0").bind(patronId, enabled ? 1 : 0),
  ]);
}

/** Deletes one entry of the patron's (false when it is not theirs or already gone), or all of them. */
export async function deleteReading(db: D1, patronId: number, entryId?: number): Promise<boolean> {
  const result =
    entryId === undefined
      ? await db.prepare("DELETE FROM reading_records WHERE patron_id = ?").bind(patronId).run()
      : await db.prepare("DELETE FROM reading_records WHERE patron_id = ? AND id = ?").bind(patronId, entryId).run();
  return entryId === undefined || result.meta.changes > 0;
}
