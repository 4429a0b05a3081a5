// The SQL fragments that encode the library's rules, each written once and derived from domain/codes.ts.
// Every query that needs "active", "a copy that can serve a reservation" or "queue order" uses these.
import { ACTIVE_RESERVATION_STATUSES, FINISHED_RESERVATION_STATUSES, UNUSABLE_ITEM_STATUSES } from "../domain/codes";

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(",");

/** `status IN (…)` over the given statuses, for a column (default `status`). */
const statusIn =
  (statuses: readonly string[]) =>
  (column = "status") =>
    `${column} IN (${list(statuses)})`;

/** A reservation that counts toward the limit and blocks a duplicate (予約申請中, 予約中, 取消申請中, お取り置き). */
export const isActiveSql = statusIn(ACTIVE_RESERVATION_STATUSES);

/** An active reservation the morning acceptance has already accepted (everything active but 予約申請中). */
export const isAcceptedSql = statusIn(ACTIVE_RESERVATION_STATUSES.filter((s) => s !== "applied"));

/** A finished reservation (kept 30 days for the counter, then anonymised). */
export const isFinishedSql = statusIn(FINISHED_RESERVATION_STATUSES);

/** A copy that will come back to patrons: not missing, damaged or withdrawn (`i` is the items alias). */
export const usableCopySql = (i = "i") => `${i}.status NOT IN (${list(UNUSABLE_ITEM_STATUSES)})`;

/** A usable copy that may leave the building (not 禁帯出): what makes a material reservable. */
export const lendableCopySql = (i = "i") => `${usableCopySql(i)} AND ${i}.loanable = 1`;

/** A copy a patron could borrow right now: on the shelf and lendable. */
export const availableNowSql = (i = "i") => `${i}.status = 'available' AND ${i}.loanable = 1`;

/** A copy staff may set aside for a reservation: lendable and free (on the shelf or arriving). */
export const settableAsideSql = (i = "i") => `${i}.loanable = 1 AND ${i}.status IN ('available', 'in_transit')`;

/** Queue order among 予約中 reservations of a material: first accepted first (id breaks ties). */
export const queueOrderSql = (r = "r") => `${r}.accepted_at, ${r}.id`;

/** `q` stands before `r` in the queue. */
export const aheadInQueueSql = (q: string, r: string) =>
  `(${q}.accepted_at < ${r}.accepted_at OR (${q}.accepted_at = ${r}.accepted_at AND ${q}.id < ${r}.id))`;

/** The per-material copy counts reservability needs, as two columns named usable and lendable. */
export const copyCountColumns = (material = "m") =>
  `(SELECT count(*) FROM items i WHERE i.material_id = ${material}.id AND ${usableCopySql()}) AS usable,
   (SELECT count(*) FROM items i WHERE i.material_id = ${material}.id AND ${lendableCopySql()}) AS lendable`;

/**
 * Not suspended on `today` (予約の保留 through a date not yet past): such a reservation keeps its place but is
 * passed over for copies. The twin of domain/patron-changes.ts `isSuspended`. `today` is a business date,
 * checked here because it is written into the SQL.
 */
export function notSuspendedSql(r: string, today: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today)) throw new Error(`not a business date: ${today}`);
  return `(${r}.suspended_until IS NULL OR ${r}.suspended_until < '${today}')`;
}
