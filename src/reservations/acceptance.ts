// The transitions of the morning acceptance (受付処理): web applications become 予約中 (queued by
// acceptance time) or 予約拒否 with a reason code; 取消申請中 becomes 予約取消済み unless the copy was
// already set aside. jobs/acceptance.ts runs these in chunks, once per business date.
import type { D1 } from "../db/client";
import { type RefusalCode, refusalOf } from "../domain/eligibility";
import { type MaterialRow, materialsForRule, type PatronRow, reservabilityOf, STANDING_COLUMNS, standingOf } from "./apply";
import { requestMailsFor } from "./mail-requests";
import { isAcceptedSql } from "./sql";

export interface Application {
  id: number;
  patronId: number;
  materialId: number;
}

/** Reservations decided in one chunk, for the mails that follow. */
export type Decided = { accepted: number[]; rejected: number[] };

/** The next web applications made up to `cutoff`, in order of application time. */
export async function applicationsDue(db: D1, cutoff: number, limit: number): Promise<Application[]> {
  const rows = await db
    .prepare(
      `SELECT id, patron_id AS patronId, material_id AS materialId FROM reservations
       WHERE status = 'applied' AND applied_at <= ? AND patron_id IS NOT NULL ORDER BY applied_at, id LIMIT ?`,
    )
    .bind(cutoff, limit)
    .all<Application>();
  return rows.results;
}

const idsJson = (list: number[]) => JSON.stringify([...new Set(list)]);

export interface DecideOptions {
  today: string;
  now: number;
  limit: number;
  /** Applications of this run decided before this chunk: keeps the run's order (application time) across chunks. */
  offset: number;
}

/**
 * Decides a chunk of applications by the one eligibility rule, counting the patron's accepted reservations
 * (counter ones and this run's earlier acceptances included), and writes every decision, the request for
 * its mail, and whatever `alsoWrite` adds for the chunk (the run's progress) in one batch: a crash leaves
 * the whole chunk decided with its mail asked for, or nothing of it.
 */
export async function decideApplications(
  db: D1,
  apps: Application[],
  o: DecideOptions,
  alsoWrite: (decided: Decided) => D1PreparedStatement[] = () => [],
): Promise<Decided> {
  const patronIds = idsJson(apps.map((a) => a.patronId));
  const [patrons, active, existing, materials] = await db.batch([
    db.prepare(`SELECT p.id, ${STANDING_COLUMNS} FROM patrons p WHERE p.id IN (SELECT value FROM json_each(?))`).bind(patronIds),
    db
      .prepare(
        `SELECT patron_id AS patronId, count(*) AS n FROM reservations
         WHERE patron_id IN (SELECT value FROM json_each(?)) AND ${isAcceptedSql()} GROUP BY patron_id`,
      )
      .bind(patronIds),
    db
      .prepare(
        `SELECT patron_id AS patronId, material_id AS materialId FROM reservations
         WHERE patron_id IN (SELECT value FROM json_each(?)) AND material_id IN (SELECT value FROM json_each(?)) AND ${isAcceptedSql()}`,
      )
      .bind(patronIds, idsJson(apps.map((a) => a.materialId))),
    materialsForRule(db, idsJson(apps.map((a) => a.materialId))),
  ]);
  const patronOf = new Map(((patrons?.results ?? []) as Array<PatronRow & { id: number }>).map((p) => [p.id, standingOf(p)]));
  const acceptedCount = new Map(
    ((active?.results ?? []) as Array<{ patronId: number; n: number }>).map((r) => [r.patronId, r.n]),
  );
  const alreadyReserved = new Set(
    ((existing?.results ?? []) as Array<{ patronId: number; materialId: number }>).map((r) => `${r.patronId}:${r.materialId}`),
  );
  const materialOf = new Map(((materials?.results ?? []) as MaterialRow[]).map((m) => [m.id, m]));

  const writes: D1PreparedStatement[] = [];
  const decided: Decided = { accepted: [], rejected: [] };
  apps.forEach((app, index) => {
    const key = `${app.patronId}:${app.materialId}`;
    const refusal: RefusalCode | undefined = refusalOf({
      channel: "acceptance",
      patron: patronOf.get(app.patronId),
      today: o.today,
      reservability: reservabilityOf(materialOf.get(app.materialId)),
      duplicate: alreadyReserved.has(key),
      activeCount: acceptedCount.get(app.patronId) ?? 0,
      adding: 1,
      limit: o.limit,
    });
    if (refusal === undefined) {
      acceptedCount.set(app.patronId, (acceptedCount.get(app.patronId) ?? 0) + 1);
      alreadyReserved.add(key);
      // Queue order is acceptance time; offset + index keeps this run's order (application time) across chunks.
      writes.push(
        db
          .prepare(
            "UPDATE reservations SET status = 'reserved', accepted_at = ?, updated_at = ? WHERE id = ? AND status = 'applied'",
          )
          .bind(o.now + o.offset + index, o.now, app.id),
      );
      decided.accepted.push(app.id);
    } else {
      writes.push(
        db
          .prepare(
            "UPDATE reservations SET status = 'rejected', reason_code = ?, closed_at = ?, updated_at = ? WHERE id = ? AND status = 'applied'",
          )
          .bind(refusal, o.now, o.now, app.id),
      );
      decided.rejected.push(app.id);
    }
  });
  const mail = [
    ...(decided.accepted.length > 0 ? [requestMailsFor(db, "accepted", decided.accepted, o.now)] : []),
    ...(decided.rejected.length > 0 ? [requestMailsFor(db, "rejected", decided.rejected, o.now)] : []),
  ];
  await db.batch([...writes, ...mail, ...alsoWrite(decided)]);
  return decided;
}

/** 取消申請中 becomes 予約取消済み; one already set aside stays お取り置き with a reason code. Returns both counts. */
export async function closeCancellations(db: D1, now: number): Promise<{ cancelled: number; refused: number }> {
  const [cancelled, refused] = await db.batch([
    db
      .prepare("UPDATE reservations SET status = 'cancelled', closed_at = ?, updated_at = ? WHERE status = 'cancel_requested'")
      .bind(now, now),
    db
      .prepare(
        `UPDATE reservations SET cancel_requested_at = NULL, reason_code = 'cancel_refused_on_hold', updated_at = ?
         WHERE status = 'on_hold' AND cancel_requested_at IS NOT NULL`,
      )
      .bind(now),
  ]);
  return { cancelled: cancelled?.meta.changes ?? 0, refused: refused?.meta.changes ?? 0 };
}
