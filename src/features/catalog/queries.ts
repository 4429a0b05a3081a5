// Catalog reads besides search: material detail with holdings, branches and the calendar.
import { asc, between, eq } from "drizzle-orm";
import type { D1, Db } from "../../db/client";
import { branches, calendarDays } from "../../db/schema";
import type { ItemStatus, MaterialType, ReservationStatus } from "../../domain/codes";
import { isActiveSql } from "../../reservations/sql";

export interface Holding {
  itemId: number;
  branch: string;
  branchName: string;
  callNumber: string | null;
  status: ItemStatus;
  loanable: boolean;
  /** 返却予定日 of a copy on loan (no patron is named), when the loan is known. */
  dueDate: string | null;
}

export interface MaterialDetail {
  id: number;
  title: string;
  titleKana: string | null;
  author: string | null;
  authorKana: string | null;
  publisher: string | null;
  year: number | null;
  isbn: string | null;
  ndc: string | null;
  subject: string | null;
  series: string | null;
  type: MaterialType;
  magazineTitle: string | null;
  latestIssue: boolean;
  holdings: Holding[];
  reservationCount: number;
}

interface MaterialRow {
  id: number;
  title: string;
  title_kana: string | null;
  author: string | null;
  author_kana: string | null;
  publisher: string | null;
  year: number | null;
  isbn: string | null;
  ndc: string | null;
  subject: string | null;
  series: string | null;
  type: MaterialType;
  magazine_title: string | null;
  latest_issue: number;
}

/** What one reader has of a material: their cart (count, this material's pickup, the last choice) and, for a patron, reservations. */
export interface ViewerFacts {
  cartCount: number;
  inCartPickup: string | null;
  /** The last pickup branch chosen: the newest cart line or (a patron's) reservation. */
  lastPickup: string | null;
  active: number;
  reservedStatus: ReservationStatus | null;
}

/** The reader of a page: a patron, or a guest by the cart cookie. */
export type Viewer = { patronId: number } | { guestCartId: string; now: number };

/** ViewerFacts of a material in one statement, to ride in the material's batch. */
export const viewerFactsStatement = (db: D1, viewer: Viewer, materialId: number) =>
  db
    .prepare(
      `WITH cart AS (SELECT id FROM carts WHERE patron_id = ?1 OR (?1 IS NULL AND id = ?2 AND patron_id IS NULL AND expires_at > ?3))
       SELECT (SELECT count(*) FROM cart_items WHERE cart_id IN (SELECT id FROM cart)) AS cartCount,
         (SELECT pickup_branch FROM cart_items WHERE cart_id IN (SELECT id FROM cart) AND material_id = ?4) AS inCartPickup,
         (SELECT b FROM (SELECT pickup_branch AS b, added_at AS t FROM cart_items WHERE cart_id IN (SELECT id FROM cart)
            UNION ALL SELECT pickup_branch, applied_at FROM reservations WHERE patron_id = ?1) ORDER BY t DESC LIMIT 1) AS lastPickup,
         (SELECT count(*) FROM reservations WHERE patron_id = ?1 AND ${isActiveSql()}) AS active,
         (SELECT status FROM reservations WHERE patron_id = ?1 AND material_id = ?4 AND ${isActiveSql()} LIMIT 1) AS reservedStatus`,
    )
    .bind(
      "patronId" in viewer ? viewer.patronId : null,
      "guestCartId" in viewer ? viewer.guestCartId : null,
      "now" in viewer ? viewer.now : 0,
      materialId,
    );

export async function getMaterial(
  db: D1,
  id: number,
  viewer?: Viewer,
): Promise<(MaterialDetail & { viewer?: ViewerFacts }) | undefined> {
  const [m, h, r, v] = await db.batch([
    db
      .prepare(
        "SELECT id, title, title_kana, author, author_kana, publisher, year, isbn, ndc, subject, series, type, magazine_title, latest_issue FROM materials WHERE id = ?",
      )
      .bind(id),
    db
      .prepare(
        `SELECT i.id AS itemId, i.branch_code AS branch, b.name AS branchName, i.call_number AS callNumber, i.status, i.loanable,
          CASE WHEN i.status = 'on_loan' THEN (SELECT max(l.due_date) FROM loans l WHERE l.item_id = i.id AND l.returned_at IS NULL) END AS dueDate
       FROM items i JOIN branches b ON b.code = i.branch_code
       WHERE i.material_id = ? AND i.status <> 'withdrawn' ORDER BY b.sort_order, i.id`,
      )
      .bind(id),
    db.prepare(`SELECT count(*) AS n FROM reservations WHERE material_id = ? AND ${isActiveSql()}`).bind(id),
    ...(viewer ? [viewerFactsStatement(db, viewer, id)] : []),
  ]);
  const row = m?.results?.[0] as MaterialRow | undefined;
  if (!row) return undefined;
  const holdings = ((h?.results ?? []) as Array<Omit<Holding, "loanable"> & { loanable: number }>).map((x) => ({
    ...x,
    loanable: x.loanable === 1,
  }));
  return {
    id: row.id,
    title: row.title,
    titleKana: row.title_kana,
    author: row.author,
    authorKana: row.author_kana,
    publisher: row.publisher,
    year: row.year,
    isbn: row.isbn,
    ndc: row.ndc,
    subject: row.subject,
    series: row.series,
    type: row.type,
    magazineTitle: row.magazine_title,
    latestIssue: row.latest_issue === 1,
    holdings,
    reservationCount: (r?.results?.[0] as { n: number } | undefined)?.n ?? 0,
    ...(v ? { viewer: v.results?.[0] as ViewerFacts } : {}),
  };
}

export const listBranches = (db: Db) => db.select().from(branches).orderBy(asc(branches.sortOrder), asc(branches.code));

export async function branchExists(db: Db, code: string): Promise<boolean> {
  const rows = await db.select({ code: branches.code }).from(branches).where(eq(branches.code, code)).limit(1);
  return rows.length > 0;
}

export const calendarRange = (db: Db, from: string, to: string) =>
  db
    .select()
    .from(calendarDays)
    .where(between(calendarDays.date, from, to))
    .orderBy(asc(calendarDays.date));
