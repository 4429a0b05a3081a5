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

/** Per-material figures for the rows of one page only (the CTE \`page\`), in its order. */
const SUMMARY_SQL = `
  SELECT p.id, p.title, p.author, p.publisher, p.year, p.type, p.latest_issue AS latestIssue,
    (SELECT count(*) FROM items i WHERE i.material_id = p.id AND i.status <> 'withdrawn') AS holdingCount,
    (SELECT count(*) FROM items i WHERE i.material_id = p.id AND ${availableNowSql("i")}) AS availableCount,
    (SELECT count(*) FROM items i WHERE i.material_id = p.id AND i.status = 'available') AS onShelfCount,
    ${copyCountColumns("p")},
    (SELECT count(*) FROM reservations r WHERE r.material_id = p.id AND ${isActiveSql("r.status")}) AS reservationCount
  FROM page JOIN materials p ON p.id = page.id ORDER BY page.ord`;

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

/** A statement before it is bound: SQL and its binds. */
interface Sql {
  sql: string;
  binds: unknown[];
}

/** One search's statements: runs them on D1 a batch (one round trip) at a time, reports their metadata. */
class Runner {
  constructor(
    private readonly db: D1,
    readonly limits: SearchLimits,
    private readonly sink?: MetaSink,
  ) {}

  async batch(statements: Sql[]): Promise<unknown[][]> {
    if (statements.length === 0) return [];
    const results = await this.db.batch(statements.map((s) => this.db.prepare(s.sql).bind(...s.binds)));
    return results.map((r) => {
      this.sink?.(r.meta);
      return r.results ?? [];
    });
  }
}

const countOf = (rows: unknown[] | undefined) => (rows?.[0] as { n: number } | undefined)?.n ?? 0;

/** The cap of a count: filters need a row lookup per hit, the text alone only the index. */
const capOf = (run: Runner, f: Filters) => (filtered(f) ? run.limits.countCap : run.limits.exactCap);

/** A condition on the plan, evaluated once before a statement runs (SQLite skips a statement whose LIMIT is 0). */
type Guard = Sql | undefined;

/** `LIMIT n`, or `LIMIT 0` when the guard is false: the statement then costs nothing. */
const guardedLimit = (guard: Guard, limit: string) =>
  guard
    ? { sql: `LIMIT (CASE WHEN ${guard.sql} THEN ${limit} ELSE 0 END)`, binds: guard.binds }
    : { sql: `LIMIT ${limit}`, binds: [] };

/** Materials matching an FTS expression and the filters, counted up to the cap (one more means "more"). */
function countMatches(run: Runner, match: string, f: Filters, guard?: Guard): Sql {
  if (!filtered(f)) {
    const limit = guardedLimit(guard, String(run.limits.exactCap + 1));
    return {
      sql: `SELECT count(*) AS n FROM (SELECT 1 FROM material_fts WHERE material_fts MATCH ? ${limit.sql})`,
      binds: [match, ...limit.binds],
    };
  }
  const src = ftsSource(f);
  const limit = guardedLimit(guard, String(run.limits.countCap + 1));
  return {
    sql: `SELECT count(*) AS n FROM (SELECT 1 FROM ${src.from} WHERE material_fts MATCH ? AND ${andAll(src.where)} ${limit.sql})`,
    binds: [match, ...src.binds, ...limit.binds],
  };
}

/** Whether the text alone has few hits (every hit is ranked) or many (pages read in index order). */
function hitsAre(run: Runner, match: string, size: "few" | "many"): Sql {
  return {
    sql: `(SELECT count(*) FROM (SELECT 1 FROM material_fts WHERE material_fts MATCH ? LIMIT ${run.limits.rankAll + 1})) ${size === "few" ? "<=" : ">"} ${run.limits.rankAll}`,
    binds: [match],
  };
}

/** Filters only: the materials counted exactly when there are none (one index scan), else up to the cap. */
function countFiltered(run: Runner, f: Filters): Sql {
  if (!filtered(f)) return { sql: "SELECT count(*) AS n FROM materials", binds: [] };
  const { sql, binds } = filterSql(f, "m.id");
  return {
    sql: `SELECT count(*) AS n FROM (SELECT 1 FROM materials m WHERE ${andAll(sql)} LIMIT ${run.limits.countCap + 1})`,
    binds,
  };
}

/**
 * The page's rows with their per-material figures, from a statement that selects the page's ids in order:
 * one statement, so reading a page costs no extra round trip. The ids subquery is numbered as it comes
 * (its own ORDER BY and LIMIT), and the figures are read for those rows only.
 */
function withSummary(ids: Sql): Sql {
  return {
    sql: `WITH page(id, ord) AS (SELECT id, row_number() OVER () FROM (${ids.sql}))
      ${SUMMARY_SQL}`,
    binds: ids.binds,
  };
}

/** Small hit sets: rank every hit. Every term in the title first, then a title that starts with it, then bm25. */
function rankAll(params: SearchParams, match: string, f: Filters, offset: number, guard?: Guard): Sql {
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
  const limit = guardedLimit(guard, "?");
  return {
    sql: `SELECT m.id AS id FROM material_fts JOIN materials m ON m.id = material_fts.rowid
     WHERE material_fts MATCH ? AND ${andAll(where.sql)} ORDER BY ${order} ${limit.sql} OFFSET ?`,
    binds: [match, ...where.binds, ...orderBinds, ...limit.binds, params.perPage, offset],
  };
}

/** Large hit sets sorted by year or title: walk that index and keep the rows the FTS index matched. */
function walkIndex(params: SearchParams, match: string, f: Filters, offset: number, guard?: Guard): Sql {
  const order = params.sort === "newest" ? "m.year DESC, m.id DESC" : "m.title_sort, m.id";
  // The unary + stops SQLite from driving the query from the id list, so it walks the sort index instead.
  const where = filterSql(f, "m.id");
  const limit = guardedLimit(guard, "?");
  return {
    sql: `SELECT m.id AS id FROM materials m
     WHERE +m.id IN (SELECT rowid FROM material_fts WHERE material_fts MATCH ?) AND ${andAll(where.sql)}
     ORDER BY ${order} ${limit.sql} OFFSET ?`,
    binds: [match, ...where.binds, ...limit.binds, params.perPage, offset],
  };
}

/** One ranking tier read newest-acquired first, straight from the FTS index (no sort over all hits). */
function tierPage(match: string, f: Filters, limit: number, offset: number, guard?: Guard): Sql {
  const src = ftsSource(f);
  const guarded = guardedLimit(guard, "?");
  return {
    sql: `SELECT material_fts.rowid AS id FROM ${src.from}
     WHERE material_fts MATCH ? AND ${andAll(src.where)} ORDER BY material_fts.rowid DESC ${guarded.sql} OFFSET ?`,
    binds: [match, ...src.binds, ...guarded.binds, limit, offset],
  };
}

/** Filters only (no text): the filter indexes drive, the sort index orders. */
function filterPage(params: SearchParams, f: Filters, offset: number): Sql {
  const order = params.sort === "newest" ? "m.year IS NULL, m.year DESC, m.id DESC" : "m.title_sort, m.id";
  const { sql, binds } = filterSql(f, "m.id");
  return {
    sql: `SELECT m.id AS id FROM materials m WHERE ${andAll(sql)} ORDER BY ${order} LIMIT ? OFFSET ?`,
    binds: [...binds, params.perPage, offset],
  };
}

/** A search's text and filters. */
interface Plan {
  params: SearchParams;
  f: Filters;
  offset: number;
  match?: string;
  /** The title tier of a keyword search by relevance, when it differs from the whole match. */
  inTitle?: string;
}

function planOf(params: SearchParams): Plan {
  const match = matchExpression(params);
  const inTitle = match && params.sort === "relevance" && params.q ? matchExpression(params, "title") : undefined;
  return {
    params,
    f: filtersOf(params),
    offset: (params.page - 1) * params.perPage,
    match,
    inTitle: inTitle && inTitle !== match ? inTitle : undefined,
  };
}

/** The page's rows and the total as the patron is shown them (never a row past that total). */
function resultOf(run: Runner, p: Plan, pages: unknown[][], total: number): SearchResult {
  const cap = capOf(run, p.f);
  const isCapped = total > cap;
  // Never a row past the total the patron is shown.
  const rows = (pages.flat() as SummaryRow[]).slice(0, Math.max(0, (isCapped ? cap : total) - p.offset));
  return {
    total: isCapped ? cap : total,
    totalCapped: isCapped,
    page: p.params.page,
    perPage: p.params.perPage,
    items: rows.map(toSummary),
  };
}

/** Filters alone: the page and its count need nothing from each other, so one round trip. */
async function filterSearch(run: Runner, p: Plan): Promise<SearchResult> {
  const [page = [], count] = await run.batch([withSummary(filterPage(p.params, p.f, p.offset)), countFiltered(run, p.f)]);
  return resultOf(run, p, [page], countOf(count));
}

/**
 * A keyword search in one round trip: the counts and both plans' pages in one batch, each page guarded
 * by the hit count (the plan not taken has LIMIT 0 and costs nothing). Only a page that runs past the
 * title tier into the rest needs a second trip, with the title tier's count known.
 */
async function textSearch(run: Runner, p: Plan & { match: string }): Promise<SearchResult> {
  const { params, f, offset, match, inTitle } = p;
  const few = hitsAre(run, match, "few");
  const many = hitsAre(run, match, "many");
  const rest = inTitle ? `(${match}) NOT (${inTitle})` : undefined;
  const largePage =
    params.sort !== "relevance"
      ? walkIndex(params, match, f, offset, many)
      : tierPage(inTitle ?? match, f, params.perPage, offset, many);
  const counts: Array<Sql | undefined> = [
    countMatches(run, match, NO_FILTERS),
    inTitle ? countMatches(run, inTitle, f, many) : undefined,
    // Filtered, the total is the filtered count of all hits, except for the title tiers (first + rest).
    filtered(f) ? countMatches(run, match, f, inTitle ? few : undefined) : undefined,
    filtered(f) && rest ? countMatches(run, rest, f, many) : undefined,
  ];
  const asked = counts.filter((x): x is Sql => x !== undefined);
  const results = await run.batch([...asked, withSummary(rankAll(params, match, f, offset, few)), withSummary(largePage)]);
  const counted = (x: Sql | undefined) => (x ? countOf(results[asked.indexOf(x)]) : 0);
  const [hits, first, matchTotal, restFiltered] = counts.map(counted) as [number, number, number, number];
  const smallRows = results[asked.length] ?? [];
  const largeRows = results[asked.length + 1] ?? [];
  if (hits === 0) return resultOf(run, p, [], 0);
  if (hits <= run.limits.rankAll) return resultOf(run, p, [smallRows], filtered(f) ? matchTotal : hits);
  if (!inTitle || !rest) return resultOf(run, p, [largeRows], filtered(f) ? matchTotal : hits);
  // Materials with every keyword in the title (or its reading) first, then the rest, each newest-acquired
  // first. Unfiltered, the rest is a subtraction; filtered and past the cap, it cannot change what the
  // patron is told.
  const restTotal = filtered(f) ? (first > run.limits.countCap ? 0 : restFiltered) : hits - first;
  const total = first + restTotal;
  // With a capped first tier, pages stay within it: the patron was told 「1,000件以上」 (「10,000件以上」).
  const firstCapped = first > capOf(run, f);
  if (largeRows.length >= params.perPage || firstCapped || (!filtered(f) && restTotal === 0))
    return resultOf(run, p, [largeRows], total);
  const [more = []] = await run.batch([
    withSummary(tierPage(rest, f, params.perPage - largeRows.length, Math.max(0, offset - first))),
  ]);
  return resultOf(run, p, [largeRows, more], total);
}

export interface SearchOptions {
  /** Receives the metadata of every statement (the benchmark). */
  sink?: MetaSink;
  /** Tests lower these to exercise the large-result plans on a small catalog. */
  limits?: SearchLimits;
}

export async function searchMaterials(db: D1, params: SearchParams, options: SearchOptions = {}): Promise<SearchResult> {
  const run = new Runner(db, options.limits ?? SEARCH_LIMITS, options.sink);
  // A keyword that is an ISBN (any form) means that book; the text search stands behind it when none has it.
  const isbn = params.q && !params.isbn ? toIsbn13(params.q) : undefined;
  if (isbn) {
    const plan = planOf({ ...params, q: undefined, isbn });
    // Title, author or publisher given beside it still apply.
    const byIsbn = plan.match ? await textSearch(run, { ...plan, match: plan.match }) : await filterSearch(run, plan);
    if (byIsbn.total > 0) return byIsbn;
  }
  const text = planOf(params);
  return text.match ? textSearch(run, { ...text, match: text.match }) : filterSearch(run, text);
}

/**
 * A page of material summaries from any statement selecting material ids in order (新着資料 uses it): the
 * same figures as search results, in the same one statement.
 */
export function summaryStatement(db: D1, idsSql: string, binds: unknown[]): D1PreparedStatement {
  const s = withSummary({ sql: idsSql, binds });
  return db.prepare(s.sql).bind(...s.binds);
}

/** The rows of summaryStatement as search results' items. */
export const summariesOf = (rows: unknown[] | undefined): MaterialSummary[] => ((rows ?? []) as SummaryRow[]).map(toSummary);
