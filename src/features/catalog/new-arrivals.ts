// 新着資料 (issue 10 item 1): materials with a copy added in the last NEW_ARRIVAL_DAYS days, newest first,
// by branch (copies added there), NDC class (the first digit, 0–9) and type; paged like search, with the
// same per-material figures, in one round trip.
import type { D1 } from "../../db/client";
import { addDays, tokyoDate } from "../../domain/calendar";
import type { MaterialType } from "../../domain/codes";
import { type SearchResult, summariesOf, summaryStatement } from "./search";

/** How long a material counts as new after a copy of it was added. */
export const NEW_ARRIVAL_DAYS = 30;
/** New arrivals are listed this far at most (a crawler cannot page through the whole catalog here). */
export const NEW_ARRIVALS_MAX = 1000;

export interface NewArrivalQuery {
  branch?: string;
  /** An NDC class: one digit, 0–9. */
  ndc?: string;
  type?: MaterialType;
  page: number;
  perPage: number;
}

/** The Tokyo midnight NEW_ARRIVAL_DAYS days before `now`, as an instant. */
export const newSince = (now: number): number => Date.parse(`${addDays(tokyoDate(now), -NEW_ARRIVAL_DAYS)}T00:00:00+09:00`);

/** A page of 新着資料, with when each was added (its latest copy), for feeds. */
export type NewArrivals = SearchResult & { addedAt: Map<number, number> };

export async function newArrivals(db: D1, q: NewArrivalQuery, now: number): Promise<NewArrivals> {
  const copy: string[] = ["i.created_at >= ?", "i.status <> 'withdrawn'"];
  const binds: unknown[] = [newSince(now)];
  if (q.branch) {
    copy.push("i.branch_code = ?");
    binds.push(q.branch);
  }
  const material: string[] = [];
  const materialBinds: unknown[] = [];
  if (q.type) {
    material.push("m.type = ?");
    materialBinds.push(q.type);
  }
  if (q.ndc) {
    material.push("m.ndc LIKE ?");
    materialBinds.push(`${q.ndc}%`);
  }
  const from = `FROM (SELECT i.material_id, max(i.created_at) AS added FROM items i WHERE ${copy.join(" AND ")} GROUP BY i.material_id) a
    JOIN materials m ON m.id = a.material_id ${material.length > 0 ? `WHERE ${material.join(" AND ")}` : ""}`;
  const offset = (q.page - 1) * q.perPage;
  const limit = Math.max(0, Math.min(q.perPage, NEW_ARRIVALS_MAX - offset));
  const pageSql = `${from} ORDER BY a.added DESC, a.material_id DESC LIMIT ? OFFSET ?`;
  const pageBinds = [...binds, ...materialBinds, limit, offset];
  const [count, page, when] = await db.batch([
    db
      .prepare(`SELECT min(count(*), ${NEW_ARRIVALS_MAX}) AS n FROM (SELECT 1 ${from} LIMIT ${NEW_ARRIVALS_MAX + 1})`)
      .bind(...binds, ...materialBinds),
    summaryStatement(db, `SELECT a.material_id AS id ${pageSql}`, pageBinds),
    db.prepare(`SELECT a.material_id AS id, a.added ${pageSql}`).bind(...pageBinds),
  ]);
  const total = (count?.results?.[0] as { n: number } | undefined)?.n ?? 0;
  const addedAt = new Map(((when?.results ?? []) as Array<{ id: number; added: number }>).map((r) => [r.id, r.added]));
  return {
    total,
    totalCapped: total >= NEW_ARRIVALS_MAX,
    page: q.page,
    perPage: q.perPage,
    items: summariesOf(page?.results),
    addedAt,
  };
}
