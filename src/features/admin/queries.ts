// The staff side's own SQL: patrons' web use, the catalog and copies (with their search rows), branches,
// the calendar and the outbox. Reservation, copy-status and loan changes live in src/reservations/.
import { bumpCatalog } from "../../db/catalog-version";
import type { D1 } from "../../db/client";
import { type MaterialInput, materialColumns, SEARCH_UPSERT_TAIL, searchColumns } from "../../db/materials";

export async function patronByCard(db: D1, card: string) {
  const row = await db
    .prepare("SELECT id, card_number AS cardNumber FROM patrons WHERE card_number = ?")
    .bind(card)
    .first<{ id: number; cardNumber: string }>();
  return row ?? undefined;
}

export async function itemIdByBarcode(db: D1, barcode: string): Promise<number | undefined> {
  const row = await db.prepare("SELECT id FROM items WHERE barcode = ?").bind(barcode.trim()).first<{ id: number }>();
  return row?.id;
}

/** A card holder without web use yet (an existing row) is enabled in place; one already using the web is not. */
export async function enableWebUse(
  db: D1,
  p: { card: string; name: string; nameKana: string | null; email: string; passwordHash: string; cardValidUntil: string | null },
  now: number,
): Promise<number | undefined> {
  const r = await db
    .prepare(
      `INSERT INTO patrons (card_number, name, name_kana, email, email_temporary, password_hash, must_change_credentials, web_enabled, card_valid_until, updated_at)
       VALUES (?1, ?2, ?3, ?4, 1, ?5, 1, 1, ?6, ?7)
       ON CONFLICT (card_number) DO UPDATE SET email = ?4, email_temporary = 1, password_hash = ?5, must_change_credentials = 1,
         web_enabled = 1, card_valid_until = coalesce(?6, card_valid_until), updated_at = ?7
       WHERE web_enabled = 0
       RETURNING id`,
    )
    .bind(p.card, p.name, p.nameKana, p.email, p.passwordHash, p.cardValidUntil, now)
    .first<{ id: number }>();
  return r?.id;
}

export async function setTemporaryPassword(db: D1, patronId: number, passwordHash: string, now: number) {
  await db
    .prepare("UPDATE patrons SET password_hash = ?, must_change_credentials = 1, updated_at = ? WHERE id = ?")
    .bind(passwordHash, now, patronId)
    .run();
}

export interface PatronPatch {
  webEnabled?: boolean;
  suspended?: boolean;
  cardValidUntil?: string | null;
}

/** Only the given fields change; `cardValidUntil: null` removes the end date. */
export async function patchPatron(db: D1, patronId: number, p: PatronPatch, now: number) {
  await db
    .prepare(
      `UPDATE patrons SET web_enabled = coalesce(?, web_enabled), suspended = coalesce(?, suspended),
           card_valid_until = CASE WHEN ? THEN ? ELSE card_valid_until END, updated_at = ? WHERE id = ?`,
    )
    .bind(
      p.webEnabled === undefined ? null : p.webEnabled ? 1 : 0,
      p.suspended === undefined ? null : p.suspended ? 1 : 0,
      p.cardValidUntil !== undefined ? 1 : 0,
      p.cardValidUntil ?? null,
      now,
      patronId,
    )
    .run();
}

export interface BranchFields {
  name?: string;
  pickup?: boolean;
  address?: string;
  phone?: string;
  hours?: string;
}

/** A blank contact field is stored as none. */
const orNull = (v: string | undefined) => (v === undefined || v === "" ? null : v);

/** False when the branch code exists already. */
export async function insertBranch(db: D1, b: BranchFields & { code: string; name: string; pickup: boolean }): Promise<boolean> {
  const [r] = await db.batch([
    db
      .prepare(
        "INSERT INTO branches (code, name, pickup, address, phone, hours) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
      )
      .bind(b.code, b.name, b.pickup ? 1 : 0, orNull(b.address), orNull(b.phone), orNull(b.hours)),
    bumpCatalog(db),
  ]);
  return (r?.meta.changes ?? 0) > 0;
}

/** Changes the given fields of a branch (a blank contact field clears it); false when there is no such branch. */
export async function updateBranch(db: D1, code: string, p: BranchFields): Promise<boolean> {
  const given = (v: string | undefined) => (v === undefined ? 0 : 1);
  const [r] = await db.batch([
    db
      .prepare(
        `UPDATE branches SET name = coalesce(?1, name), pickup = coalesce(?2, pickup),
           address = CASE WHEN ?3 THEN ?4 ELSE address END, phone = CASE WHEN ?5 THEN ?6 ELSE phone END,
           hours = CASE WHEN ?7 THEN ?8 ELSE hours END
         WHERE code = ?9`,
      )
      .bind(
        p.name ?? null,
        p.pickup === undefined ? null : p.pickup ? 1 : 0,
        given(p.address),
        orNull(p.address),
        given(p.phone),
        orNull(p.phone),
        given(p.hours),
        orNull(p.hours),
        code,
      ),
    bumpCatalog(db),
  ]);
  return (r?.meta.changes ?? 0) > 0;
}

export async function upsertOpeningDay(db: D1, date: string, open: boolean) {
  await db.batch([
    db
      .prepare("INSERT INTO calendar_days (date, open) VALUES (?, ?) ON CONFLICT (date) DO UPDATE SET open = excluded.open")
      .bind(date, open ? 1 : 0),
    bumpCatalog(db),
  ]);
}

/** The material row and its search row in one batch, so the index never lags the catalog. */
function materialStatements(db: D1, m: MaterialInput, materialId?: number) {
  const s = searchColumns(m);
  const cols = materialColumns(m, Date.now());
  const names = Object.keys(cols);
  const values = Object.values(cols);
  const material =
    materialId === undefined
      ? db
          .prepare(`INSERT INTO materials (${names.join(",")}) VALUES (${names.map(() => "?").join(",")}) RETURNING id`)
          .bind(...values)
      : db.prepare(`UPDATE materials SET ${names.map((n) => `${n} = ?`).join(", ")} WHERE id = ?`).bind(...values, materialId);
  const search = db
    .prepare(
      `INSERT INTO material_search (material_id, title, author, publisher, subject)
       VALUES (${materialId === undefined ? "(SELECT max(id) FROM materials)" : "?"}, ?, ?, ?, ?) ${SEARCH_UPSERT_TAIL}`,
    )
    .bind(...(materialId === undefined ? [] : [materialId]), s.title, s.author, s.publisher, s.subject);
  return [material, search, bumpCatalog(db)];
}

export async function insertMaterial(db: D1, m: MaterialInput): Promise<number> {
  const [inserted] = await db.batch<{ id: number }>(materialStatements(db, m));
  return inserted?.results?.[0]?.id as number;
}

/** Merges the patch into the record; false when the material does not exist. */
export async function patchMaterial(db: D1, materialId: number, patch: Record<string, unknown>): Promise<boolean> {
  const current = await db
    .prepare(
      `SELECT title, title_kana AS titleKana, author, author_kana AS authorKana, publisher, year, isbn, ndc, subject, series, type,
              magazine_title AS magazineTitle, issue_label AS issueLabel, issue_date AS issueDate, latest_issue AS latestIssue
       FROM materials WHERE id = ?`,
    )
    .bind(materialId)
    .first<MaterialInput>();
  if (!current) return false;
  await db.batch(materialStatements(db, { ...current, latestIssue: current.latestIssue === 1, ...patch }, materialId));
  return true;
}

/** A new copy; undefined when the material or branch is unknown or the barcode is taken. */
export async function insertItem(
  db: D1,
  it: { materialId: number; branch: string; barcode: string; callNumber: string | null; loanable: boolean },
): Promise<number | undefined> {
  const [r] = await db.batch<{ id: number }>([
    db
      .prepare(
        `INSERT INTO items (material_id, branch_code, barcode, call_number, loanable, status, updated_at)
       SELECT ?, ?, ?, ?, ?, 'available', ? WHERE EXISTS (SELECT 1 FROM materials WHERE id = ?) AND EXISTS (SELECT 1 FROM branches WHERE code = ?)
       ON CONFLICT DO NOTHING RETURNING id`,
      )
      .bind(it.materialId, it.branch, it.barcode, it.callNumber, it.loanable ? 1 : 0, Date.now(), it.materialId, it.branch),
    bumpCatalog(db),
  ]);
  return r?.results?.[0]?.id;
}

export interface MailHealth {
  waiting: number;
  failed: number;
  dead: number;
  /** Requests of the transactional outbox not answered yet. */
  unanswered: number;
}

/** How much mail waits, failed or was given up, and how many requests are not answered yet. */
export async function mailHealth(db: D1): Promise<MailHealth> {
  const row = await db
    .prepare(
      `SELECT (SELECT count(*) FROM mail_outbox WHERE status IN ('queued', 'sending')) AS waiting,
              (SELECT count(*) FROM mail_outbox WHERE status = 'failed') AS failed,
              (SELECT count(*) FROM mail_outbox WHERE status = 'dead') AS dead,
              (SELECT count(*) FROM mail_requests WHERE done_at IS NULL) AS unanswered`,
    )
    .first<MailHealth>();
  return row ?? { waiting: 0, failed: 0, dead: 0, unanswered: 0 };
}

export interface OutboxRow {
  id: number;
  to: string;
  subject: string;
  kind: string;
  status: string;
  attempts: number;
  createdAt: number;
  sentAt: number | null;
  /** The patron it was for (null once the patron is gone). */
  cardNumber: string | null;
  /** Why it failed: the provider's refusal or the bounce it reported. */
  error: string | null;
  failedAt: number | null;
}

/** The mail outbox, newest first, optionally of one state and of one patron (the API and the staff page). */
export async function outboxRows(db: D1, filter: { status?: string; cardNumber?: string } = {}): Promise<OutboxRow[]> {
  const rows = await db
    .prepare(
      `SELECT o.id, o.to_address AS "to", o.subject, o.kind, o.status, o.attempts, o.created_at AS createdAt, o.sent_at AS sentAt,
         p.card_number AS cardNumber, o.last_error AS error, o.failed_at AS failedAt
       FROM mail_outbox o LEFT JOIN patrons p ON p.id = o.patron_id
       WHERE (?1 IS NULL OR o.status = ?1) AND (?2 IS NULL OR p.card_number = ?2) ORDER BY o.id DESC LIMIT 200`,
    )
    .bind(filter.status ?? null, filter.cardNumber ?? null)
    .all<OutboxRow>();
  return rows.results;
}

export interface NoticeRow {
  id: number;
  title: string;
  body: string;
  from: string;
  until: string;
}

/** A new お知らせ; the top page (cached by catalog version) shows it on its next read. */
export async function insertNotice(db: D1, n: Omit<NoticeRow, "id">): Promise<number> {
  const [made] = await db.batch([
    db
      .prepare("INSERT INTO notices (title, body, from_date, until_date) VALUES (?, ?, ?, ?) RETURNING id")
      .bind(n.title, n.body, n.from, n.until),
    bumpCatalog(db),
  ]);
  const id = (made?.results?.[0] as { id: number } | undefined)?.id;
  if (id === undefined) throw new Error("notice not inserted");
  return id;
}

/** Takes a notice down at once; false when there is none. */
export async function deleteNotice(db: D1, id: number): Promise<boolean> {
  const [r] = await db.batch([db.prepare("DELETE FROM notices WHERE id = ?").bind(id), bumpCatalog(db)]);
  return (r?.meta.changes ?? 0) > 0;
}

/** Notices not yet over, newest start first (the staff list). */
export async function currentNotices(db: D1, today: string): Promise<NoticeRow[]> {
  const rows = await db
    .prepare(
      'SELECT id, title, body, from_date AS "from", until_date AS until FROM notices WHERE until_date >= ? ORDER BY from_date DESC, id DESC LIMIT 100',
    )
    .bind(today)
    .all<NoticeRow>();
  return rows.results;
}
