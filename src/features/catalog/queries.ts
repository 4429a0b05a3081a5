// Catalog reads: search over the FTS5 bigram index, material detail, branches and the calendar.
// The search runs on D1 directly: the FTS5 table is a virtual table Drizzle does not model.
import { asc, between, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { branches, calendarDays } from "../../db/schema";
import { ACTIVE_RESERVATION_STATUSES, type ItemStatus, type MaterialType, UNUSABLE_ITEM_STATUSES } from "../../domain/codes";
import { toIsbn13 } from "../../domain/isbn";
import { type NotReservableReason, reservability } from "../../domain/reservability";
import { matchExpression, queryTerms } from "../../domain/search-text";

export type SearchSort = "relevance" | "newest" | "title";

export interface SearchParams {
  q?: string;
  title?: string;
  author?: string;
  publisher?: string;
  /** ISBN-13 digits. */
  isbn?: string;
  ndc?: string;
  type?: MaterialType;
  yearFrom?: number;
  yearTo?: number;
  branch?: string;
  available?: boolean;
  sort: SearchSort;
  page: number;
  perPage: number;
}

export interface MaterialSummary {
  id: number;
  title: string;
  author: string | null;
  publisher: string | null;
  year: number | null;
  type: MaterialType;
  reservable: boolean;
  notReservableReason?: NotReservableReason;
  availableCount: number;
  holdingCount: number;
  reservationCount: number;
}

export interface SearchResult {
  total: number;
  page: number;
  perPage: number;
  items: MaterialSummary[];
}

const ACTIVE = ACTIVE_RESERVATION_STATUSES.map((s) => `'${s}'`).join(",");
const UNUSABLE = UNUSABLE_ITEM_STATUSES.map((s) => `'${s}'`).join(",");

/** Per-material figures computed for the rows of one page only (at most perPage correlated lookups). */
const SUMMARY_COLUMNS = `
  p.id, p.title, p.author, p.publisher, p.year, p.type, p.latest_issue AS latestIssue,
  (SELECT count(*) FROM items i WHERE i.material_id = p.id AND i.status <> 'withdrawn') AS holdingCount,
  (SELECT count(*) FROM items i WHERE i.material_id = p.id AND i.status = 'available' AND i.loanable = 1) AS availableCount,
  (SELECT count(*) FROM items i WHERE i.material_id = p.id AND i.status NOT IN (${UNUSABLE})) AS usableCount,
  (SELECT count(*) FROM items i WHERE i.material_id = p.id AND i.status NOT IN (${UNUSABLE}) AND i.loanable = 1) AS lendableCount,
  (SELECT count(*) FROM reservations r WHERE r.material_id = p.id AND r.status IN (${ACTIVE})) AS reservationCount`;

interface SummaryRow {
  id: number;
  title: string;
  author: string | null;
  publisher: string | null;
  year: number | null;
  type: MaterialType;
  latestIssue: number;
  holdingCount: number;
  availableCount: number;
  usableCount: number;
  lendableCount: number;
  reservationCount: number;
}

function toSummary(row: SummaryRow): MaterialSummary {
  const r = reservability({
    latestIssue: row.latestIssue === 1,
    usableCopies: row.usableCount,
    lendableCopies: row.lendableCount,
  });
  return {
    id: row.id,
    title: row.title,
    author: row.author,
    publisher: row.publisher,
    year: row.year,
    type: row.type,
    reservable: r.reservable,
    ...(r.reservable ? {} : { notReservableReason: r.reason }),
    availableCount: row.availableCount,
    holdingCount: row.holdingCount,
    reservationCount: row.reservationCount,
  };
}

interface Built {
  from: string;
  where: string[];
  binds: unknown[];
}

function filters(params: SearchParams, built: Built): void {
  const { where, binds } = built;
  if (params.type) {
    where.push("m.type = ?");
    binds.push(params.type);
  }
  if (params.yearFrom !== undefined) {
    where.push("m.year >= ?");
    binds.push(params.yearFrom);
  }
  if (params.yearTo !== undefined) {
    where.push("m.year <= ?");
    binds.push(params.yearTo);
  }
  if (params.ndc) {
    // A prefix as a range, so the ndc index is used (NDC holds only digits and '.', all below '~').
    where.push("m.ndc >= ? AND m.ndc < ?");
    binds.push(params.ndc, `${params.ndc}~`);
  }
  if (params.isbn) {
    where.push("m.isbn = ?");
    binds.push(params.isbn);
  }
  if (params.branch && params.available) {
    where.push(
      "EXISTS (SELECT 1 FROM items i WHERE i.material_id = m.id AND i.branch_code = ? AND i.status = 'available' AND i.loanable = 1)",
    );
    binds.push(params.branch);
  } else if (params.branch) {
    where.push("EXISTS (SELECT 1 FROM items i WHERE i.material_id = m.id AND i.branch_code = ? AND i.status <> 'withdrawn')");
    binds.push(params.branch);
  } else if (params.available) {
    where.push("EXISTS (SELECT 1 FROM items i WHERE i.material_id = m.id AND i.status = 'available' AND i.loanable = 1)");
  }
}

/** Relevance: every term in the title (or its reading) first, then a title that starts with the query, then bm25. */
function relevanceOrder(params: SearchParams): { sql: string; binds: unknown[] } {
  const terms = [...queryTerms(params.q ?? ""), ...queryTerms(params.title ?? "")];
  if (terms.length === 0) return { sql: "bm25(material_fts, 10.0, 4.0, 1.0, 2.0), m.title_sort", binds: [] };
  const allInTitle = terms.map(() => "instr(m.title_norm, ?) > 0").join(" AND ");
  const first = terms.join("");
  return {
    sql: `(${allInTitle}) DESC, (m.title_norm = ? OR substr(m.title_norm, 1, ?) = ?) DESC, bm25(material_fts, 10.0, 4.0, 1.0, 2.0), m.title_sort`,
    binds: [...terms, first, first.length, first],
  };
}

/** Builds the page and count statements of a search; exported for the benchmark, which runs the same SQL. */
export function buildSearch(db: D1Database, params: SearchParams): { page: D1PreparedStatement; count: D1PreparedStatement } {
  const match = matchExpression(params);
  const built: Built = match
    ? { from: "material_fts JOIN materials m ON m.id = material_fts.rowid", where: ["material_fts MATCH ?"], binds: [match] }
    : { from: "materials m", where: [], binds: [] };
  filters(params, built);
  const whereSql = built.where.length > 0 ? `WHERE ${built.where.join(" AND ")}` : "";

  let order: { sql: string; binds: unknown[] };
  if (params.sort === "newest") order = { sql: "m.year IS NULL, m.year DESC, m.id DESC", binds: [] };
  else if (params.sort === "title" || !match) order = { sql: "m.title_sort, m.id", binds: [] };
  else order = relevanceOrder(params);

  const offset = (params.page - 1) * params.perPage;
  // The outer select only adds per-row figures; SQLite yields the LIMITed subquery in its ORDER BY order.
  const pageSql = `SELECT ${SUMMARY_COLUMNS}
    FROM (SELECT m.id, m.title, m.author, m.publisher, m.year, m.type, m.latest_issue
          FROM ${built.from} ${whereSql} ORDER BY ${order.sql} LIMIT ? OFFSET ?) p`;
  const page = db.prepare(pageSql).bind(...built.binds, ...order.binds, params.perPage, offset);
  const count = db.prepare(`SELECT count(*) AS n FROM ${built.from} ${whereSql}`).bind(...built.binds);
  return { page, count };
}

export async function searchMaterials(db: D1Database, params: SearchParams): Promise<SearchResult> {
  // A keyword that is an ISBN (any form) means that book; fall back to text search when none has it.
  const isbn = params.q && !params.isbn ? toIsbn13(params.q) : undefined;
  if (isbn) {
    const byIsbn = await runSearch(db, { ...params, q: undefined, isbn });
    if (byIsbn.total > 0) return byIsbn;
  }
  return runSearch(db, params);
}

async function runSearch(db: D1Database, params: SearchParams): Promise<SearchResult> {
  const { page, count } = buildSearch(db, params);
  const [pageResult, countResult] = await db.batch<SummaryRow | { n: number }>([page, count]);
  const rows = (pageResult?.results ?? []) as SummaryRow[];
  const total = ((countResult?.results ?? [])[0] as { n: number } | undefined)?.n ?? 0;
  return { total, page: params.page, perPage: params.perPage, items: rows.map(toSummary) };
}

export interface Holding {
  itemId: number;
  branch: string;
  branchName: string;
  callNumber: string | null;
  status: ItemStatus;
  loanable: boolean;
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

export async function getMaterial(db: D1Database, id: number): Promise<MaterialDetail | undefined> {
  const [m, h, r] = await db.batch([
    db
      .prepare(
        "SELECT id, title, title_kana, author, author_kana, publisher, year, isbn, ndc, subject, series, type, magazine_title, latest_issue FROM materials WHERE id = ?",
      )
      .bind(id),
    db
      .prepare(
        `SELECT i.id AS itemId, i.branch_code AS branch, b.name AS branchName, i.call_number AS callNumber, i.status, i.loanable
       FROM items i JOIN branches b ON b.code = i.branch_code
       WHERE i.material_id = ? AND i.status <> 'withdrawn' ORDER BY b.sort_order, i.id`,
      )
      .bind(id),
    db.prepare(`SELECT count(*) AS n FROM reservations WHERE material_id = ? AND status IN (${ACTIVE})`).bind(id),
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
