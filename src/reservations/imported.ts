// What an import of the library system's data does to copies, loans and counter reservations, as bulk
// statements for one slice (rows passed as one JSON parameter: D1 allows 100 bound values per statement).
// The rules: an import never changes the status of a copy on loan or set aside (this service's own
// lifecycle owns those), never withdraws one (the import reports it instead), and keeps queue order.
import type { D1 } from "../db/client";
import { isActiveSql } from "./sql";

/** The states an import never overwrites or withdraws. */
export const CIRCULATING_SQL = (i = "status") => `${i} IN ('on_loan', 'on_hold')`;

export interface ImportedCopy {
  /** barcode, material source id, branch, call number, status (null: keep), loanable, digest */
  b: string;
  m: string;
  br: string;
  c: string | null;
  s: string | null;
  l: 0 | 1;
  h: string;
}

/** New copies and changed ones (status only where the copy is not on loan or set aside). */
export function upsertCopies(db: D1, copies: ImportedCopy[], now: number): D1PreparedStatement[] {
  const rows = JSON.stringify(copies);
  const source = `SELECT j.value->>'b' AS b, (SELECT id FROM materials WHERE source_id = j.value->>'m') AS m, j.value->>'br' AS br,
      j.value->>'c' AS c, j.value->>'s' AS s, j.value->>'l' AS l, j.value->>'h' AS h FROM json_each(?1) j`;
  return [
    db
      .prepare(
        `UPDATE items SET
           material_id = CASE WHEN items.status = 'on_hold' THEN items.material_id ELSE r.m END,
           branch_code = CASE WHEN items.status = 'on_hold' THEN items.branch_code ELSE r.br END,
           call_number = r.c, loanable = r.l, source_hash = r.h, updated_at = ?2,
           status = CASE WHEN r.s IS NULL OR ${CIRCULATING_SQL("items.status")} THEN items.status ELSE r.s END
         FROM (${source}) AS r WHERE items.barcode = r.b AND r.m IS NOT NULL`,
      )
      .bind(rows, now),
    db
      .prepare(
        `INSERT INTO items (material_id, branch_code, barcode, call_number, status, loanable, source_hash, updated_at)
         SELECT r.m, r.br, r.b, r.c, coalesce(r.s, 'available'), r.l, r.h, ?2 FROM (${source}) AS r
         WHERE r.m IS NOT NULL AND NOT EXISTS (SELECT 1 FROM items i WHERE i.barcode = r.b)`,
      )
      .bind(rows, now),
  ];
}

/** Withdraws (除籍) the given copies, except any on loan or set aside: those stay and are reported. */
export function withdrawCopies(db: D1, itemIds: number[], now: number): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE items SET status = 'withdrawn', updated_at = ?2
       WHERE id IN (SELECT value FROM json_each(?1)) AND NOT ${CIRCULATING_SQL()} AND status <> 'withdrawn'`,
    )
    .bind(JSON.stringify(itemIds), now);
}

export interface ImportedLoan {
  /** item id, patron id, loaned at, due date */
  i: number;
  p: number;
  a: number;
  d: string;
}

/** Loans the library system made: the copy goes out (unless set aside since), the loan is opened. */
export function openImportedLoans(db: D1, loans: ImportedLoan[], now: number): D1PreparedStatement[] {
  const rows = JSON.stringify(loans);
  return [
    db
      .prepare(
        `UPDATE items SET status = 'on_loan', updated_at = ?2
         WHERE id IN (SELECT j.value->>'i' FROM json_each(?1) j) AND status NOT IN ('on_loan', 'on_hold', 'withdrawn')`,
      )
      .bind(rows, now),
    db
      .prepare(
        `INSERT INTO loans (item_id, patron_id, loaned_at, due_date)
         SELECT j.value->>'i', j.value->>'p', j.value->>'a', j.value->>'d' FROM json_each(?1) j
         WHERE EXISTS (SELECT 1 FROM items i WHERE i.id = j.value->>'i' AND i.status = 'on_loan')
           AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.item_id = j.value->>'i' AND l.returned_at IS NULL)`,
      )
      .bind(rows),
  ];
}

/** A due date the library system changed (延長 at its counter). */
export function changeDueDates(db: D1, changes: Array<{ id: number; d: string }>): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE loans SET due_date = r.d FROM (SELECT j.value->>'id' AS id, j.value->>'d' AS d FROM json_each(?1) j) AS r
       WHERE loans.id = r.id AND loans.returned_at IS NULL`,
    )
    .bind(JSON.stringify(changes));
}

export interface ImportedReservation {
  /** patron id, material id, pickup branch, reserved at, accepted at (queue order) */
  p: number;
  m: number;
  b: string;
  r: number;
  q: number;
}

/**
 * Counter reservations taken by the library system before the cut-over: 予約中 at once, in the queue at
 * the time the system took them (its 予約順位 breaks ties). Already accepted there: the limit is not re-applied.
 */
export function insertCounterReservations(db: D1, rows: ImportedReservation[], now: number): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO reservations (patron_id, material_id, pickup_branch, status, source, applied_at, accepted_at, updated_at)
       SELECT j.value->>'p', j.value->>'m', j.value->>'b', 'reserved', 'counter', j.value->>'r', j.value->>'q', ?2
       FROM json_each(?1) j
       WHERE NOT EXISTS (SELECT 1 FROM reservations x WHERE x.patron_id = j.value->>'p' AND x.material_id = j.value->>'m' AND ${isActiveSql("x.status")})`,
    )
    .bind(JSON.stringify(rows), now);
}
