// Changes to one patron's reservations: web applications (all or nothing, within the limit) and web
// cancellations. Only the patron's Durable Object calls these, so each check-then-write runs alone.
import { tokyoDate } from "../../domain/calendar";
import { ACTIVE_RESERVATION_STATUSES, type ReservationStatus, UNUSABLE_ITEM_STATUSES } from "../../domain/codes";
import { reservability } from "../../domain/reservability";
import { fitsQuota, remainingQuota, webCancellation } from "../../domain/reservations";

const ACTIVE = ACTIVE_RESERVATION_STATUSES.map((s) => `'${s}'`).join(",");
const UNUSABLE = UNUSABLE_ITEM_STATUSES.map((s) => `'${s}'`).join(",");

export interface ApplicationItem {
  materialId: number;
  pickupBranch: string;
}

export interface ApplyInput {
  patronId: number;
  items: ApplicationItem[];
  /** web: 予約申請中 until the morning acceptance; counter: 予約中 at once, queued from now. Default web. */
  source?: "web" | "counter";
  /** The cart to empty of these materials in the same transaction, if the items came from one. */
  cartId?: string;
  now: number;
  limit: number;
}

export interface AppliedReservation {
  id: number;
  materialId: number;
  pickupBranch: string;
  appliedAt: number;
}

export type ApplyOutcome =
  | { ok: true; reservations: AppliedReservation[] }
  | { ok: false; code: "quota_exceeded"; remaining: number }
  | { ok: false; code: "not_reservable"; materialIds: number[] }
  | { ok: false; code: "already_reserved"; materialIds: number[] }
  | { ok: false; code: "invalid_request"; field: "pickupBranch" | "items" }
  | { ok: false; code: "forbidden" };

/** Applies for every item or none: the patron may use the web, each material may be reserved, no duplicate, within the limit. */
export async function applyReservations(db: D1Database, input: ApplyInput): Promise<ApplyOutcome> {
  const { patronId, items, now, limit } = input;
  if (items.length === 0) return { ok: false, code: "invalid_request", field: "items" };
  const ids = JSON.stringify(items.map((i) => i.materialId));
  const [patron, active, duplicates, materials, pickups] = await db.batch([
    db
      .prepare(
        "SELECT web_enabled AS webEnabled, suspended, must_change_credentials AS mustChange, card_valid_until AS validUntil FROM patrons WHERE id = ?",
      )
      .bind(patronId),
    db.prepare(`SELECT count(*) AS n FROM reservations WHERE patron_id = ? AND status IN (${ACTIVE})`).bind(patronId),
    db
      .prepare(
        `SELECT DISTINCT material_id AS id FROM reservations
         WHERE patron_id = ? AND status IN (${ACTIVE}) AND material_id IN (SELECT value FROM json_each(?))`,
      )
      .bind(patronId, ids),
    db
      .prepare(
        `SELECT m.id, m.latest_issue AS latestIssue,
           (SELECT count(*) FROM items i WHERE i.material_id = m.id AND i.status NOT IN (${UNUSABLE})) AS usable,
           (SELECT count(*) FROM items i WHERE i.material_id = m.id AND i.status NOT IN (${UNUSABLE}) AND i.loanable = 1) AS lendable
         FROM materials m WHERE m.id IN (SELECT value FROM json_each(?))`,
      )
      .bind(ids),
    db.prepare("SELECT code FROM branches WHERE pickup = 1"),
  ]);
  const p = patron?.results?.[0] as
    | { webEnabled: number; suspended: number; mustChange: number; validUntil: string | null }
    | undefined;
  const cardExpired = Boolean(p?.validUntil && p.validUntil < tokyoDate(now));
  const counter = input.source === "counter";
  // At the counter the card is what matters; on the web also web use and changed credentials.
  if (!p || p.suspended || cardExpired || (!counter && (!p.webEnabled || p.mustChange))) return { ok: false, code: "forbidden" };

  const pickupCodes = new Set(((pickups?.results ?? []) as Array<{ code: string }>).map((r) => r.code));
  if (items.some((i) => !pickupCodes.has(i.pickupBranch))) return { ok: false, code: "invalid_request", field: "pickupBranch" };

  const found = new Map(
    ((materials?.results ?? []) as Array<{ id: number; latestIssue: number; usable: number; lendable: number }>).map((m) => [
      m.id,
      m,
    ]),
  );
  const notReservable = items
    .map((i) => i.materialId)
    .filter((id) => {
      const m = found.get(id);
      return (
        !m || !reservability({ latestIssue: m.latestIssue === 1, usableCopies: m.usable, lendableCopies: m.lendable }).reservable
      );
    });
  if (notReservable.length > 0) return { ok: false, code: "not_reservable", materialIds: notReservable };

  const dup = ((duplicates?.results ?? []) as Array<{ id: number }>).map((r) => r.id);
  if (dup.length > 0) return { ok: false, code: "already_reserved", materialIds: dup };

  const activeCount = (active?.results?.[0] as { n: number } | undefined)?.n ?? 0;
  if (!fitsQuota(limit, activeCount, items.length))
    return { ok: false, code: "quota_exceeded", remaining: remainingQuota(limit, activeCount) };

  const inserts = items.map((i) =>
    db
      .prepare(
        `INSERT INTO reservations (patron_id, material_id, pickup_branch, status, source, applied_at, accepted_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id, material_id AS materialId, pickup_branch AS pickupBranch, applied_at AS appliedAt`,
      )
      .bind(
        patronId,
        i.materialId,
        i.pickupBranch,
        counter ? "reserved" : "applied",
        counter ? "counter" : "web",
        now,
        counter ? now : null,
        now,
      ),
  );
  const cleanup = input.cartId
    ? [
        db
          .prepare("DELETE FROM cart_items WHERE cart_id = ? AND material_id IN (SELECT value FROM json_each(?))")
          .bind(input.cartId, ids),
      ]
    : [];
  // One batch is one transaction: every reservation is written and the cart emptied, or nothing is.
  const results = await db.batch([...inserts, ...cleanup]);
  const reservations = results.slice(0, inserts.length).map((r) => r.results?.[0] as AppliedReservation);
  return { ok: true, reservations };
}

export interface CancelResult {
  id: number;
  ok: boolean;
  status?: ReservationStatus;
  error?: "not_found" | "invalid_state";
  message?: string;
}

const CANCEL_MESSAGES = {
  on_hold: "お取り置き中の資料は、ホームページから取り消せません。受取館へご連絡ください。",
  not_cancellable: "この予約はすでに終了しているため、取り消せません。",
  not_found: "指定された予約は見つかりませんでした。",
} as const;

/** 取消実行 over the ticked reservations of one patron; each succeeds or fails on its own. */
export async function cancelReservations(db: D1Database, patronId: number, ids: number[], now: number): Promise<CancelResult[]> {
  const rows = await db
    .prepare(`SELECT id, status FROM reservations WHERE patron_id = ? AND id IN (SELECT value FROM json_each(?))`)
    .bind(patronId, JSON.stringify(ids))
    .all<{ id: number; status: ReservationStatus }>();
  const byId = new Map(rows.results.map((r) => [r.id, r.status]));
  const results: CancelResult[] = [];
  const writes: D1PreparedStatement[] = [];
  for (const id of ids) {
    const status = byId.get(id);
    if (!status) {
      // Another patron's reservation is "not found" too: nothing tells whether it exists.
      results.push({ id, ok: false, error: "not_found", message: CANCEL_MESSAGES.not_found });
      continue;
    }
    const decision = webCancellation(status);
    if (!decision.ok) {
      results.push({ id, ok: false, status, error: "invalid_state", message: CANCEL_MESSAGES[decision.reason] });
      continue;
    }
    const closed = decision.next === "application_cancelled" ? now : null;
    const requested = decision.next === "cancel_requested" ? now : null;
    writes.push(
      db
        .prepare(
          `UPDATE reservations SET status = ?, closed_at = coalesce(?, closed_at), cancel_requested_at = coalesce(?, cancel_requested_at), updated_at = ?
           WHERE id = ? AND patron_id = ? AND status = ?`,
        )
        .bind(decision.next, closed, requested, now, id, patronId, status),
    );
    results.push({ id, ok: true, status: decision.next });
  }
  if (writes.length === 0) return results;
  const written = await db.batch(writes);
  // Staff (a hold, the morning acceptance) may have changed a row since it was read: then nothing was
  // written, and the patron is told what the row is now.
  const changed = results.filter((r) => r.ok);
  const stale = changed.filter((_, i) => (written[i]?.meta.changes ?? 0) === 0);
  if (stale.length === 0) return results;
  const fresh = await db
    .prepare(`SELECT id, status FROM reservations WHERE id IN (SELECT value FROM json_each(?))`)
    .bind(JSON.stringify(stale.map((r) => r.id)))
    .all<{ id: number; status: ReservationStatus }>();
  const current = new Map(fresh.results.map((r) => [r.id, r.status]));
  return results.map((r) => {
    if (!stale.includes(r)) return r;
    const status = current.get(r.id);
    const reason = status === "on_hold" ? "on_hold" : "not_cancellable";
    return { id: r.id, ok: false, status, error: "invalid_state", message: CANCEL_MESSAGES[reason] };
  });
}
