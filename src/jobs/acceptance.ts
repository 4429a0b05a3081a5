// The morning acceptance (受付処理) of one business date: web applications in order of application time
// become 予約中 (queued by acceptance time) or 予約拒否 with a reason; 取消申請中 becomes 予約取消済み unless
// the copy was already set aside. Chunked to stay inside a Worker invocation's query budget, and run
// once per business date: a second run changes nothing.

import { decideApplication } from "../domain/acceptance";
import { ACTIVE_RESERVATION_STATUSES, UNUSABLE_ITEM_STATUSES } from "../domain/codes";
import { reservability } from "../domain/reservability";

const CHUNK = 200;
const ACCEPTED = ACTIVE_RESERVATION_STATUSES.filter((s) => s !== "applied")
  .map((s) => `'${s}'`)
  .join(",");
const UNUSABLE = UNUSABLE_ITEM_STATUSES.map((s) => `'${s}'`).join(",");

export interface AcceptanceSummary {
  businessDate: string;
  accepted: number;
  rejected: number;
  cancelled: number;
  cancellationsRefused: number;
  /** True when this date had already been run: nothing was changed this time. */
  alreadyRun?: boolean;
}

/** Reservations decided in one chunk, for the mails that follow. */
export type Decided = { accepted: number[]; rejected: number[] };

interface Application {
  id: number;
  patronId: number;
  materialId: number;
}

const ids = (list: number[]) => JSON.stringify([...new Set(list)]);

async function decideChunk(
  db: D1Database,
  apps: Application[],
  today: string,
  now: number,
  limit: number,
  offset: number,
): Promise<Decided> {
  const [patrons, active, duplicates, materials] = await db.batch([
    db
      .prepare(
        `SELECT id, web_enabled AS webEnabled, suspended, card_valid_until AS validUntil FROM patrons
         WHERE id IN (SELECT value FROM json_each(?))`,
      )
      .bind(ids(apps.map((a) => a.patronId))),
    db
      .prepare(
        `SELECT patron_id AS patronId, count(*) AS n FROM reservations
         WHERE patron_id IN (SELECT value FROM json_each(?)) AND status IN (${ACCEPTED}) GROUP BY patron_id`,
      )
      .bind(ids(apps.map((a) => a.patronId))),
    db
      .prepare(
        `SELECT patron_id AS patronId, material_id AS materialId FROM reservations
         WHERE patron_id IN (SELECT value FROM json_each(?)) AND material_id IN (SELECT value FROM json_each(?)) AND status IN (${ACCEPTED})`,
      )
      .bind(ids(apps.map((a) => a.patronId)), ids(apps.map((a) => a.materialId))),
    db
      .prepare(
        `SELECT m.id, m.latest_issue AS latestIssue,
           (SELECT count(*) FROM items i WHERE i.material_id = m.id AND i.status NOT IN (${UNUSABLE})) AS usable,
           (SELECT count(*) FROM items i WHERE i.material_id = m.id AND i.status NOT IN (${UNUSABLE}) AND i.loanable = 1) AS lendable
         FROM materials m WHERE m.id IN (SELECT value FROM json_each(?))`,
      )
      .bind(ids(apps.map((a) => a.materialId))),
  ]);
  type P = { id: number; webEnabled: number; suspended: number; validUntil: string | null };
  type M = { id: number; latestIssue: number; usable: number; lendable: number };
  const patronOf = new Map(((patrons?.results ?? []) as P[]).map((p) => [p.id, p]));
  const activeOf = new Map(((active?.results ?? []) as Array<{ patronId: number; n: number }>).map((r) => [r.patronId, r.n]));
  const held = new Set(
    ((duplicates?.results ?? []) as Array<{ patronId: number; materialId: number }>).map((r) => `${r.patronId}:${r.materialId}`),
  );
  const materialOf = new Map(((materials?.results ?? []) as M[]).map((m) => [m.id, m]));

  const writes: D1PreparedStatement[] = [];
  const decided: Decided = { accepted: [], rejected: [] };
  apps.forEach((app, index) => {
    const p = patronOf.get(app.patronId);
    const m = materialOf.get(app.materialId);
    const decision = decideApplication({
      webEnabled: p?.webEnabled === 1,
      suspended: p?.suspended === 1,
      cardValidUntil: p?.validUntil ?? null,
      today,
      reservability: m
        ? reservability({ latestIssue: m.latestIssue === 1, usableCopies: m.usable, lendableCopies: m.lendable })
        : { reservable: false, reason: "no_loanable_item" },
      duplicate: held.has(`${app.patronId}:${app.materialId}`),
      activeCount: activeOf.get(app.patronId) ?? 0,
      limit,
    });
    if (decision.accept) {
      activeOf.set(app.patronId, (activeOf.get(app.patronId) ?? 0) + 1);
      held.add(`${app.patronId}:${app.materialId}`);
      // Queue order is acceptance time; offset + index keeps this run's order (application time) across chunks.
      writes.push(
        db
          .prepare(
            "UPDATE reservations SET status = 'reserved', accepted_at = ?, updated_at = ? WHERE id = ? AND status = 'applied'",
          )
          .bind(now + offset + index, now, app.id),
      );
      decided.accepted.push(app.id);
    } else {
      writes.push(
        db
          .prepare(
            "UPDATE reservations SET status = 'rejected', reason = ?, closed_at = ?, updated_at = ? WHERE id = ? AND status = 'applied'",
          )
          .bind(decision.reason, now, now, app.id),
      );
      decided.rejected.push(app.id);
    }
  });
  await db.batch(writes);
  return decided;
}

export interface AcceptanceOptions {
  businessDate: string;
  now: number;
  limit: number;
  /** Called after each chunk with the reservations it decided (mail). */
  onDecided?: (decided: Decided) => Promise<void>;
}

export async function runAcceptance(db: D1Database, options: AcceptanceOptions): Promise<AcceptanceSummary> {
  const { businessDate, limit } = options;
  let now = options.now;
  const started = await db
    .prepare(
      "INSERT INTO job_runs (job, business_date, started_at) VALUES ('acceptance', ?, ?) ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(businessDate, now)
    .first<{ id: number }>();
  if (!started) {
    const previous = await db
      .prepare(
        "SELECT summary, started_at AS startedAt, finished_at AS finishedAt FROM job_runs WHERE job = 'acceptance' AND business_date = ?",
      )
      .bind(businessDate)
      .first<{ summary: string | null; startedAt: number; finishedAt: number | null }>();
    // A finished run is not repeated; an unfinished one (stopped midway) carries on where it stopped, as of
    // its own start, so applications made since wait for the next opening day. Every change is guarded by
    // the row's status, so two runs at once cannot decide one application twice.
    if (previous?.finishedAt && previous.summary)
      return { ...(JSON.parse(previous.summary) as AcceptanceSummary), alreadyRun: true };
    if (previous) now = previous.startedAt;
  }

  const summary: AcceptanceSummary = { businessDate, accepted: 0, rejected: 0, cancelled: 0, cancellationsRefused: 0 };
  let offset = 0;
  for (;;) {
    const chunk = await db
      .prepare(
        `SELECT id, patron_id AS patronId, material_id AS materialId FROM reservations
         WHERE status = 'applied' AND applied_at <= ? AND patron_id IS NOT NULL ORDER BY applied_at, id LIMIT ${CHUNK}`,
      )
      .bind(now)
      .all<Application>();
    if (chunk.results.length === 0) break;
    const decided = await decideChunk(db, chunk.results, businessDate, now, limit, offset);
    offset += chunk.results.length;
    summary.accepted += decided.accepted.length;
    summary.rejected += decided.rejected.length;
    await options.onDecided?.(decided);
  }

  const [cancelled, refused] = await db.batch([
    db
      .prepare("UPDATE reservations SET status = 'cancelled', closed_at = ?, updated_at = ? WHERE status = 'cancel_requested'")
      .bind(now, now),
    // Already set aside when the cancellation came: it stays お取り置き, and the patron is told why.
    db
      .prepare(
        `UPDATE reservations SET cancel_requested_at = NULL, reason = 'お取り置き済みのため、取消はお受けできませんでした。受取館へご連絡ください。', updated_at = ?
         WHERE status = 'on_hold' AND cancel_requested_at IS NOT NULL`,
      )
      .bind(now),
  ]);
  summary.cancelled = cancelled?.meta.changes ?? 0;
  summary.cancellationsRefused = refused?.meta.changes ?? 0;

  await db
    .prepare("UPDATE job_runs SET finished_at = ?, summary = ? WHERE job = 'acceptance' AND business_date = ?")
    .bind(Date.now(), JSON.stringify(summary), businessDate)
    .run();
  return summary;
}
