// Rows written straight into D1 for patron-side tests: reservations in any status (web or counter), loans,
// and the small reads the tests check against.

import { env } from "cloudflare:workers";
import type { ReservationStatus } from "../../src/domain/codes";
import type { ReasonCode } from "../../src/domain/eligibility";

export interface ReservationRowOptions {
  source?: "web" | "counter";
  pickupBranch?: string;
  appliedAt?: number;
  acceptedAt?: number | null;
  holdUntil?: string | null;
  reasonCode?: ReasonCode | null;
}

/** Inserts a reservation for a patron and returns its id. */
export async function insertReservation(
  patronId: number,
  materialId: number,
  status: ReservationStatus,
  options: ReservationRowOptions = {},
): Promise<number> {
  const appliedAt = options.appliedAt ?? Date.now() - 60_000;
  const acceptedAt =
    options.acceptedAt !== undefined
      ? options.acceptedAt
      : status === "applied" || status === "rejected"
        ? null
        : appliedAt + 1000;
  const row = await env.DB.prepare(
    `INSERT INTO reservations (patron_id, material_id, pickup_branch, status, source, applied_at, accepted_at, hold_until, reason_code, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  )
    .bind(
      patronId,
      materialId,
      options.pickupBranch ?? "central",
      status,
      options.source ?? "web",
      appliedAt,
      acceptedAt,
      options.holdUntil ?? null,
      options.reasonCode ?? null,
      appliedAt,
    )
    .first<{ id: number }>();
  if (!row) throw new Error("reservation not inserted");
  return row.id;
}

/** Inserts `n` active reservations (alternately applied and reserved) on the given materials. */
export async function insertActive(patronId: number, materialIds: number[]): Promise<number[]> {
  const ids: number[] = [];
  for (const [i, m] of materialIds.entries())
    ids.push(await insertReservation(patronId, m, i % 2 === 0 ? "applied" : "reserved"));
  return ids;
}

export async function reservationRow(
  id: number,
): Promise<{ id: number; patronId: number | null; materialId: number; status: ReservationStatus } | null> {
  return env.DB.prepare("SELECT id, patron_id AS patronId, material_id AS materialId, status FROM reservations WHERE id = ?")
    .bind(id)
    .first();
}

/** How many active reservations (予約申請中, 予約中, 取消申請中, お取り置き) the patron has in D1. */
export async function activeInDb(patronId: number): Promise<number> {
  const row = await env.DB.prepare(
    "SELECT count(*) AS n FROM reservations WHERE patron_id = ? AND status IN ('applied','reserved','cancel_requested','on_hold')",
  )
    .bind(patronId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** All reservations of a patron in D1. */
export async function reservationsInDb(patronId: number): Promise<Array<{ id: number; materialId: number; status: string }>> {
  const rows = await env.DB.prepare(
    "SELECT id, material_id AS materialId, status FROM reservations WHERE patron_id = ? ORDER BY id",
  )
    .bind(patronId)
    .all<{ id: number; materialId: number; status: string }>();
  return rows.results;
}

/** The id of a material's first copy (the test catalog gives every classic one at 中央). */
export async function itemOf(materialId: number): Promise<number> {
  const row = await env.DB.prepare("SELECT id FROM items WHERE material_id = ? ORDER BY id LIMIT 1")
    .bind(materialId)
    .first<{ id: number }>();
  if (!row) throw new Error(`material ${materialId} has no copy`);
  return row.id;
}

export async function insertLoan(
  patronId: number,
  itemId: number,
  loan: { loanedAt: number; dueDate: string; returnedAt?: number | null },
): Promise<number> {
  const row = await env.DB.prepare(
    "INSERT INTO loans (item_id, patron_id, loaned_at, due_date, returned_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
  )
    .bind(itemId, patronId, loan.loanedAt, loan.dueDate, loan.returnedAt ?? null)
    .first<{ id: number }>();
  if (!row) throw new Error("loan not inserted");
  return row.id;
}
