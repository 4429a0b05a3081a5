// Catalog search over the FTS5 bigram index (D1 directly: Drizzle does not model virtual tables).
// Cost grows with the number of hits, so the plan adapts: the cheap FTS-only count decides whether
// every hit can be ranked (bm25 with title boosts) or whether the page is read in index order instead.
import type { D1 } from "../../db/client";

import type { MaterialType } from "../../domain/codes";
import { toIsbn13 } from "../../domain/isbn";
import { type NotReservableReason, reservability } from "../../domain/reservability";
import { matchExpression, queryTerms } from "../../domain/search-text";
import { availableNowSql, copyCountColumns, isActiveSql } from "../../reservations/sql";

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
  /** Copies on the shelf, 禁帯出 ones included (the page says 館内閲覧のみ for those). */
  onShelfCount: number;
  holdingCount: number;
  reservationCount: number;
}

export interface SearchResult {
  total: number;
  /** True when filters matched more than the count cap and `total` stops there (「1,000件以上」). */
  totalCapped: boolean;
  page: number;
  perPage: number;
  items: MaterialSummary[];
}

export interface SearchLimits {
  /** Up to this many hits, every hit is ranked; above it, pages are read in index order (see docs/search.md). */
  rankAll: number;
  /** Counts that need a row lookup per hit (filters) stop here (「1,000件以上」). */
  countCap: number;
  /** Counts of the text alone are exact up to here, then 「10,000件以上」: counting 100,000 hits of 猫 is the cost of a search in a million. */
  exactCap: number;
}

// rankAll 1,000 (not 2,000): ranking 1,377 hits by bm25 cost 18 ms in a million materials (BENCHMARKS.md).
export const SEARCH_LIMITS: SearchLimits = { rankAll: 1000, countCap: 1000, exactCap: 10_000 };

/** Receives D1's metadata of every statement a search ran (the benchmark sums the server-side time). */
export type MetaSink = (meta: D1Meta) => void;

const BM25 = "bm25(material_fts, 10.0, 4.0, 1.0, 2.0)";

/** Per-material figures for the rows of one page only, in the order of the given ids. */
const SUMMARY_SQL = `
  SELECT p.id, p.title, p.author, p.publisher, p.year, p.type, p.latest_issue AS latestIssue,
    (SELECT count(*) FROM items i WHERE i.material_id = p.id AND i.status <> 'withdrawn') AS holdingCount,
    (SELECT count(*) FROM items i WHERE i.material_id = p.id AND ${availableNowSql("i")}) AS availableCount,
    (SELECT count(*) FROM items i WHERE i.material_id = p.id AND i.status = 'available') AS onShelfCount,
    ${copyCountColumns("p")},
    (SELECT count(*) FROM reservations r WHERE r.material_id = p.id AND ${isActiveSql("r.status")}) AS reservationCount
  FROM json_each(?) j JOIN materials p ON p.id = j.value ORDER BY j.key`;

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
  onShelfCount: number;
  usable: number;
  lendable: number;
  reservationCount: number;
}

function toSummary(row: SummaryRow): MaterialSummary {
  const r = reservability({
    latestIssue: row.latestIssue === 1,
    usableCopies: row.usable,
    lendableCopies: row.lendable,
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
    onShelfCount: row.onShelfCount,
    holdingCount: row.holdingCount,
    reservationCount: row.reservationCount,
  };
}

/**
 * Conditions of a search besides the text: on the material row (alias m) and on its copies. `rowid` is
 * the column that holds the material id where they are applied (m.id, or material_fts.rowid when the
 * material row is not needed at all).
 */
const NO_FILTERS: Filters = { material: [], materialBinds: [], copies: "", copyBinds: [] };

interface Filters {
  /** Conditions that need the material row. */
  material: string[];
  materialBinds: unknown[];
  /** An EXISTS over the copies, with `$id` standing for the material id column; empty when none. */
  copies: string;
  copyBinds: unknown[];
}

function filtersOf(params: SearchParams): Filters {
  const material: string[] = [];
  const materialBinds: unknown[] = [];
  if (params.type) {
    material.push("m.type = ?");
    materialBinds.push(params.type);
  }
  if (params.yearFrom !== undefined) {
    material.push("m.year >= ?");
    materialBinds.push(params.yearFrom);
  }
  if (params.yearTo !== undefined) {
    material.push("m.year <= ?");
    materialBinds.push(params.yearTo);
  }
  if (params.ndc) {
    // A prefix as a range, so the ndc index is used (NDC holds only digits and '.', all below '~').
    material.push("m.ndc >= ? AND m.ndc < ?");
    materialBinds.push(params.ndc, `${params.ndc}~`);
  }
  if (params.isbn) {
    material.push("m.isbn = ?");
    materialBinds.push(params.isbn);
  }
  let copies = "";
  const copyBinds: unknown[] = [];
  if (params.branch || params.available) {
    const conditions = [
      params.branch ? "i.branch_code = ?" : undefined,
      params.available ? availableNowSql("i") : "i.status <> 'withdrawn'",
    ].filter(Boolean);
    copies = `EXISTS (SELECT 1 FROM items i WHERE i.material_id = $id AND ${conditions.join(" AND ")})`;
    if (params.branch) copyBinds.push(params.branch);
  }
  return { material, materialBinds, copies, copyBinds };
}

const filtered = (f: Filters) => f.material.length > 0 || f.copies !== "";

/** The filters as SQL over the given id column, with their binds in order. */
function filterSql(f: Filters, idColumn: string): { sql: string[]; binds: unknown[] } {
  return {
    sql: [...f.material, ...(f.copies ? [f.copies.replace("$id", idColumn)] : [])],
    binds: [...f.materialBinds, ...f.copyBinds],
  };
}

/** FROM clause and filters for reading FTS hits in index order; joins the material row only when needed. */
function ftsSource(f: Filters): { from: string; where: string[]; binds: unknown[] } {
  if (f.material.length === 0) {
    const { sql, binds } = filterSql(f, "material_fts.rowid");
    return { from: "material_fts", where: sql, binds };
  }
  // CROSS JOIN keeps the FTS index as the outer loop, so a LIMIT stops the row lookups early.
  const { sql, binds } = filterSql(f, "m.id");
  return { from: "material_fts CROSS JOIN materials m ON m.id = material_fts.rowid", where: sql, binds };
}

const andAll = (conditions: string[]) => (conditions.length > 0 ? conditions.join(" AND ") : "1");

/** One search's statements: runs them on D1, reports their metadata, carries the limits. */
class Runner {
  constructor(
    private readonly db: D1,
    readonly limits: SearchLimits,
    private readonly sink?: MetaSink,
  ) {}

  async all<T>(sql: string, binds: unknown[]): Promise<T[]> {
    const result = await this.db
      .prepare(sql)
      .bind(...binds)
      .all<T>();
    this.sink?.(result.meta);
    return result.results;
  }

  async count(sql: string, binds: unknown[]): Promise<number> {
    const [row] = await this.all<{ n: number }>(sql, binds);
    return row?.n ?? 0;
  }
}

/** The cap of a count: filters need a row lookup per hit, the text alone only the index. */
const capOf = (run: Runner, f: Filters) => (filtered(f) ? run.limits.countCap : run.limits.exactCap);

/** Materials matching an FTS expression and the filters, counted up to the cap (one more means "more"). */
async function countMatches(run: Runner, match: string, f: Filters): Promise<number> {
  if (!filtered(f))
    return run.count(
      `SELECT count(*) AS n FROM (SELECT 1 FROM material_fts WHERE material_fts MATCH ? LIMIT ${run.limits.exactCap + 1})`,
      [match],
    );
  const src = ftsSource(f);
  return run.count(
    `SELECT count(*) AS n FROM (SELECT 1 FROM ${src.from} WHERE material_fts MATCH ? AND ${andAll(src.where)} LIMIT ${run.limits.countCap + 1})`,
    [match, ...src.binds],
  );
}

/** Small hit sets: rank every hit. Every term in the title first, then a title that starts with it, then bm25. */
async function rankAll(run: Runner, params: SearchParams, match: string, f: Filters, offset: number): Promise<number[]> {
  let order = "m.title_sort, m.id";
  let orderBinds: unknown[] = [];
  if (params.sort === "newest") order = "m.year IS NULL, m.year DESC, m.id DESC";
  else if (params.sort === "relevance") {
    const terms = [...queryTerms(params.q ?? ""), ...queryTerms(params.title ?? "")];
    if (terms.length === 0) order = `${BM25}, m.title_sort`;
    else {
      const first = terms.join("");
      order = `(${terms.map(() => "instr(m.title_norm, ?) > 0").join(" AND ")}) DESC,
        (m.title_norm = ? OR substr(m.title_norm, 1, ?) = ?) DESC, ${BM25}, m.title_sort`;
      orderBinds = [...terms, first, first.length, first];
    }
  }
  const where = filterSql(f, "m.id");
  const rows = await run.all<{ id: number }>(
    `SELECT m.id FROM material_fts JOIN materials m ON m.id = material_fts.rowid
     WHERE material_fts MATCH ? AND ${andAll(where.sql)} ORDER BY ${order} LIMIT ? OFFSET ?`,
    [match, ...where.binds, ...orderBinds, params.perPage, offset],
  );
  return rows.map((r) => r.id);
}

/** Large hit sets sorted by year or title: walk that index and keep the rows the FTS index matched. */
async function walkIndex(run: Runner, params: SearchParams, match: string, f: Filters, offset: number): Promise<number[]> {
  const order = params.sort === "newest" ? "m.year DESC, m.id DESC" : "m.title_sort, m.id";
  // The unary + stops SQLite from driving the query from the id list, so it walks the sort index instead.
  const where = filterSql(f, "m.id");
  const rows = await run.all<{ id: number }>(
    `SELECT m.id FROM materials m
     WHERE +m.id IN (SELECT rowid FROM material_fts WHERE material_fts MATCH ?) AND ${andAll(where.sql)}
     ORDER BY ${order} LIMIT ? OFFSET ?`,
    [match, ...where.binds, params.perPage, offset],
  );
  return rows.map((r) => r.id);
}

/** One ranking tier read newest-acquired first, straight from the FTS index (no sort over all hits). */
async function tierPage(run: Runner, match: string, f: Filters, limit: number, offset: number): Promise<number[]> {
  const src = ftsSource(f);
  const rows = await run.all<{ id: number }>(
    `SELECT material_fts.rowid AS id FROM ${src.from}
     WHERE material_fts MATCH ? AND ${andAll(src.where)} ORDER BY material_fts.rowid DESC LIMIT ? OFFSET ?`,
    [match, ...src.binds, limit, offset],
  );
  return rows.map((r) => r.id);
}

/**
 * Large hit sets by relevance: materials with every keyword in the title (or its reading) first, then the
 * rest, each tier newest-acquired first. Both tiers are read from the index in order, so cost follows the page.
 */
async function rankByTier(
  run: Runner,
  params: SearchParams,
  match: string,
  f: Filters,
  offset: number,
  hits: number,
): Promise<{ ids: number[]; total: number }> {
  const inTitle = params.q ? matchExpression(params, "title") : undefined;
  if (!inTitle || inTitle === match) {
    const total = filtered(f) ? await countMatches(run, match, f) : hits;
    return { ids: await tierPage(run, match, f, params.perPage, offset), total };
  }
  const rest = `(${match}) NOT (${inTitle})`;
  const first = await countMatches(run, inTitle, f);
  const ids = offset < first ? await tierPage(run, inTitle, f, params.perPage, offset) : [];
  // Unfiltered, the title tier is a subset of all hits, so the rest is a subtraction. Filtered and past
  // the cap, the rest cannot change what the patron is told (「1,000件以上」).
  let second: number;
  if (!filtered(f)) second = hits - first;
  else second = first > run.limits.countCap ? 0 : await countMatches(run, rest, f);
  // With a capped first tier, pages stay within it: the patron was told 「1,000件以上」 (「10,000件以上」).
  const firstCapped = first > capOf(run, f);
  if (ids.length < params.perPage && !firstCapped && (second > 0 || filtered(f))) {
    ids.push(...(await tierPage(run, rest, f, params.perPage - ids.length, Math.max(0, offset - first))));
  }
  return { ids, total: first + second };
}

/** Filters only (no text): the filter indexes drive, the sort index orders. */
async function filterOnly(
  run: Runner,
  params: SearchParams,
  f: Filters,
  offset: number,
): Promise<{ ids: number[]; total: number }> {
  const order = params.sort === "newest" ? "m.year IS NULL, m.year DESC, m.id DESC" : "m.title_sort, m.id";
  const { sql, binds } = filterSql(f, "m.id");
  const where = andAll(sql);
  const rows = await run.all<{ id: number }>(`SELECT m.id FROM materials m WHERE ${where} ORDER BY ${order} LIMIT ? OFFSET ?`, [
    ...binds,
    params.perPage,
    offset,
  ]);
  // The whole catalog is counted exactly (one index scan); a filtered count stops at the cap.
  const total = filtered(f)
    ? await run.count(
        `SELECT count(*) AS n FROM (SELECT 1 FROM materials m WHERE ${where} LIMIT ${run.limits.countCap + 1})`,
        binds,
      )
    : await run.count("SELECT count(*) AS n FROM materials", []);
  return { ids: rows.map((r) => r.id), total };
}

async function runSearch(db: D1, params: SearchParams, options: SearchOptions): Promise<SearchResult> {
  const run = new Runner(db, options.limits ?? SEARCH_LIMITS, options.sink);
  const f = filtersOf(params);
  const offset = (params.page - 1) * params.perPage;
  const match = matchExpression(params);
  let found: { ids: number[]; total: number };
  if (!match) found = await filterOnly(run, params, f, offset);
  else {
    const hits = await countMatches(run, match, NO_FILTERS);
    if (hits === 0) found = { ids: [], total: 0 };
    else if (hits <= run.limits.rankAll) {
      const total = filtered(f) ? await countMatches(run, match, f) : hits;
      found = { ids: total > offset ? await rankAll(run, params, match, f, offset) : [], total };
    } else if (params.sort === "relevance") found = await rankByTier(run, params, match, f, offset, hits);
    else found = { ids: await walkIndex(run, params, match, f, offset), total: await countMatches(run, match, f) };
  }
  const cap = capOf(run, f);
  const isCapped = found.total > cap;
  // Never a row past the total the patron is shown.
  const shown = found.ids.slice(0, Math.max(0, (isCapped ? cap : found.total) - offset));
  const rows = shown.length > 0 ? await run.all<SummaryRow>(SUMMARY_SQL, [JSON.stringify(shown)]) : [];
  return {
    total: isCapped ? cap : found.total,
    totalCapped: isCapped,
    page: params.page,
    perPage: params.perPage,
    items: rows.map(toSummary),
  };
}

export interface SearchOptions {
  /** Receives the metadata of every statement (the benchmark). */
  sink?: MetaSink;
  /** Tests lower these to exercise the large-result plans on a small catalog. */
  limits?: SearchLimits;
}

export async function searchMaterials(db: D1, params: SearchParams, options: SearchOptions = {}): Promise<SearchResult> {
  // A keyword that is an ISBN (any form) means that book; fall back to text search when none has it.
  const isbn = params.q && !params.isbn ? toIsbn13(params.q) : undefined;
  if (isbn) {
    const byIsbn = await runSearch(db, { ...params, q: undefined, isbn }, options);
    if (byIsbn.total > 0) return byIsbn;
  }
  return runSearch(db, params, options);
}
