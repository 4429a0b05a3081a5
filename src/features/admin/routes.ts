// The staff JSON API under /api/v1/admin: catalog and copies, patrons' web use, counter reservations,
// holds, loans and returns, the calendar, the jobs and the mail outbox. Every change is audited.
import { zValidator } from "@hono/zod-validator";
import { type Context, Hono } from "hono";
import type { z } from "zod";
import { hashPassword } from "../../auth/password";
import { endPatronSessions } from "../../auth/sessions";
import { holdDeadline } from "../../domain/acceptance";
import { addDays, isValidDate, tokyoDate, tokyoIso } from "../../domain/calendar";
import { newPasswordProblem } from "../../domain/password-policy";
import { materialSearchRow, titleNorm, titleSortKey } from "../../domain/search-text";
import type { AppEnv } from "../../env";
import { AppError, invalidRequest, notFound } from "../../errors";
import { type NotifyMessage, runJob } from "../../jobs/run";
import { requestMail } from "../../mail/notify";
import { patronObject } from "../../objects/patron";
import { throwInvalid } from "../../validation";
import { audit } from "./audit";
import {
  branchSchema,
  calendarSchema,
  counterReservationSchema,
  holdSchema,
  itemPatchSchema,
  itemSchema,
  jobSchema,
  loanSchema,
  materialPatchSchema,
  materialSchema,
  patronPatchSchema,
  patronSchema,
} from "./schemas";

const LOAN_DAYS = 14;
const TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679";

/** A temporary password the counter hands out: 8 unambiguous letters and digits, never a guessable one. */
function temporaryPassword(cardNumber: string): string {
  for (;;) {
    const bytes = crypto.getRandomValues(new Uint8Array(8));
    const pw = [...bytes].map((b) => TEMP_ALPHABET[b % TEMP_ALPHABET.length]).join("");
    if (/\d/.test(pw) && /[a-zA-Z]/.test(pw) && !newPasswordProblem(pw, { cardNumber })) return pw;
  }
}

const db1 = (c: Context<AppEnv>) => c.env.DB;
const id = (c: Context<AppEnv>, name = "id") => {
  const n = Number(c.req.param(name));
  if (!Number.isInteger(n) || n <= 0) throw notFound("指定されたものは見つかりませんでした。");
  return n;
};

async function patronByCard(c: Context<AppEnv>, card: string) {
  const row = await db1(c)
    .prepare("SELECT id, card_number AS cardNumber FROM patrons WHERE card_number = ?")
    .bind(card)
    .first<{ id: number; cardNumber: string }>();
  if (!row) throw notFound("その利用者番号の利用者は登録されていません。");
  return row;
}

/** The material row and its search row in one batch, so the index never lags the catalog. */
function materialStatements(c: Context<AppEnv>, m: Record<string, unknown> & { title: string }, materialId?: number) {
  const d = db1(c);
  const s = materialSearchRow(m as Parameters<typeof materialSearchRow>[0]);
  const cols = {
    title: m.title,
    title_kana: m.titleKana ?? null,
    author: m.author ?? null,
    author_kana: m.authorKana ?? null,
    publisher: m.publisher ?? null,
    year: m.year ?? null,
    isbn: m.isbn ?? null,
    ndc: m.ndc ?? null,
    subject: m.subject ?? null,
    series: m.series ?? null,
    type: m.type,
    magazine_title: m.magazineTitle ?? null,
    issue_label: m.issueLabel ?? null,
    issue_date: m.issueDate ?? null,
    latest_issue: m.latestIssue ? 1 : 0,
    title_sort: titleSortKey(m.title, (m.titleKana as string | undefined) ?? null),
    title_norm: titleNorm(m.title, (m.titleKana as string | undefined) ?? null),
    updated_at: Date.now(),
  };
  const names = Object.keys(cols);
  const values = Object.values(cols);
  const material =
    materialId === undefined
      ? d
          .prepare(`INSERT INTO materials (${names.join(",")}) VALUES (${names.map(() => "?").join(",")}) RETURNING id`)
          .bind(...values)
      : d.prepare(`UPDATE materials SET ${names.map((n) => `${n} = ?`).join(", ")} WHERE id = ?`).bind(...values, materialId);
  const search = d
    .prepare(
      `INSERT INTO material_search (material_id, title, author, publisher, subject)
       VALUES (${materialId === undefined ? "(SELECT max(id) FROM materials)" : "?"}, ?, ?, ?, ?)
       ON CONFLICT (material_id) DO UPDATE SET title = excluded.title, author = excluded.author, publisher = excluded.publisher, subject = excluded.subject`,
    )
    .bind(...(materialId === undefined ? [] : [materialId]), s.title, s.author, s.publisher, s.subject);
  return [material, search];
}

async function openDatesFrom(c: Context<AppEnv>, from: string): Promise<string[]> {
  const rows = await db1(c)
    .prepare("SELECT date FROM calendar_days WHERE open = 1 AND date > ? ORDER BY date LIMIT 60")
    .bind(from)
    .all<{ date: string }>();
  return rows.results.map((r) => r.date);
}

/** Registers a patron's web use: card number, temporary password (returned once) and temporary e-mail. */
export async function registerPatron(c: Context<AppEnv>, p: z.output<typeof patronSchema>) {
  const card = p.cardNumber ?? `21${String((crypto.getRandomValues(new Uint32Array(1))[0] ?? 0) % 1e8).padStart(8, "0")}`;
  const temp = temporaryPassword(card);
  // A card holder without web use yet (an existing row) is enabled in place; one already using the web is not.
  const r = await db1(c)
    .prepare(
      `INSERT INTO patrons (card_number, name, name_kana, email, email_temporary, password_hash, must_change_credentials, web_enabled, card_valid_until, updated_at)
       VALUES (?1, ?2, ?3, ?4, 1, ?5, 1, 1, ?6, ?7)
       ON CONFLICT (card_number) DO UPDATE SET email = ?4, email_temporary = 1, password_hash = ?5, must_change_credentials = 1,
         web_enabled = 1, card_valid_until = coalesce(?6, card_valid_until), updated_at = ?7
       WHERE web_enabled = 0
       RETURNING id`,
    )
    .bind(
      card,
      p.name,
      p.nameKana ?? null,
      p.email,
      await hashPassword(temp, c.env.PASSWORD_PEPPER),
      p.cardValidUntil ?? null,
      Date.now(),
    )
    .first<{ id: number }>();
  if (!r)
    throw new AppError(
      "invalid_state",
      "その利用者番号はすでにインターネット予約を利用しています。パスワードを忘れた場合は再発行してください。",
    );
  await audit(c, "patron.register_web", { type: "patron", id: r.id });
  // The temporary password is shown once, here, and kept nowhere readable.
  return { cardNumber: card, temporaryPassword: temp };
}

/** A forgotten password: a new temporary one (returned once), every session ended. */
export async function resetPassword(c: Context<AppEnv>, cardNumber: string) {
  const patron = await patronByCard(c, cardNumber);
  const temp = temporaryPassword(patron.cardNumber);
  await db1(c)
    .prepare("UPDATE patrons SET password_hash = ?, must_change_credentials = 1, updated_at = ? WHERE id = ?")
    .bind(await hashPassword(temp, c.env.PASSWORD_PEPPER), Date.now(), patron.id)
    .run();
  await endPatronSessions(c.var.db, patron.id);
  await audit(c, "patron.reset_password", { type: "patron", id: patron.id });
  return { temporaryPassword: temp };
}

/** Web use on or off, suspension, card validity; stopping ends the patron's sessions. */
export async function updatePatron(c: Context<AppEnv>, cardNumber: string, p: z.output<typeof patronPatchSchema>) {
  const patron = await patronByCard(c, cardNumber);
  await db1(c)
    .prepare(
      `UPDATE patrons SET web_enabled = coalesce(?, web_enabled), suspended = coalesce(?, suspended),
           card_valid_until = CASE WHEN ? THEN ? ELSE card_valid_until END, updated_at = ? WHERE id = ?`,
    )
    .bind(
      p.webEnabled === undefined ? null : p.webEnabled ? 1 : 0,
      p.suspended === undefined ? null : p.suspended ? 1 : 0,
      p.cardValidUntil !== undefined ? 1 : 0,
      p.cardValidUntil ?? null,
      Date.now(),
      patron.id,
    )
    .run();
  if (p.webEnabled === false || p.suspended === true) await endPatronSessions(c.var.db, patron.id);
  await audit(c, "patron.update", { type: "patron", id: patron.id }, p);
  return { cardNumber: patron.cardNumber };
}

/** A counter reservation: 予約中 at once, through the patron's Durable Object and its limit. */
export async function counterReservation(c: Context<AppEnv>, r: z.output<typeof counterReservationSchema>) {
  const patron = await patronByCard(c, r.cardNumber);
  const outcome = await patronObject(c.env, patron.cardNumber).apply({
    patronId: patron.id,
    items: [{ materialId: r.materialId, pickupBranch: r.pickupBranch }],
    source: "counter",
    now: Date.now(),
    limit: Number(c.env.RESERVATION_LIMIT),
  });
  if (!outcome.ok) {
    if (outcome.code === "quota_exceeded")
      throw new AppError("quota_exceeded", `予約できる冊数を超えています（あと${outcome.remaining}件）。`, {
        remaining: outcome.remaining,
      });
    if (outcome.code === "not_reservable") throw new AppError("not_reservable", "この資料は予約できません。");
    if (outcome.code === "already_reserved")
      throw new AppError("already_reserved", "この利用者はすでにこの資料を予約しています。");
    if (outcome.code === "forbidden")
      throw new AppError("forbidden", "この利用者は利用停止中か、カードの有効期限が切れています。");
    throw invalidRequest({ pickupBranch: "受取館が正しくありません。" });
  }
  const made = outcome.reservations[0];
  await audit(c, "reservation.counter", { type: "reservation", id: made?.id ?? 0 });
  return {
    id: made?.id,
    materialId: made?.materialId,
    status: "reserved" as const,
    pickupBranch: made?.pickupBranch,
    appliedAt: tokyoIso(made?.appliedAt ?? Date.now()),
  };
}

/** A loan at the counter; collecting the copy set aside for this patron fulfils that reservation. */
export async function lend(c: Context<AppEnv>, l: z.output<typeof loanSchema>) {
  const patron = await patronByCard(c, l.cardNumber);
  const now = Date.now();
  const item = await db1(c)
    .prepare("SELECT id, status, loanable FROM items WHERE id = ?")
    .bind(l.itemId)
    .first<{ id: number; status: string; loanable: number }>();
  if (!item) throw notFound("指定された所蔵は見つかりませんでした。");
  if (!item.loanable) throw new AppError("invalid_state", "禁帯出の所蔵は貸し出せません。");
  const hold = await db1(c)
    .prepare("SELECT id, patron_id AS patronId FROM reservations WHERE hold_item_id = ? AND status = 'on_hold'")
    .bind(item.id)
    .first<{ id: number; patronId: number }>();
  if (hold && hold.patronId !== patron.id) throw new AppError("invalid_state", "この所蔵は別の利用者のお取り置きです。");
  if (!hold && item.status !== "available") throw new AppError("invalid_state", "この所蔵はいま貸し出せる状態ではありません。");
  const due = l.dueDate ?? addDays(tokyoDate(now), LOAN_DAYS);
  // Each step happens only if the one before it did (changes() = 1), so a hold or loan made since the
  // reads above leaves everything as it was.
  const [claimed, loan] = await db1(c).batch<{ id: number }>([
    db1(c)
      .prepare("UPDATE items SET status = 'on_loan', updated_at = ? WHERE id = ? AND status = ?")
      .bind(now, item.id, hold ? "on_hold" : "available"),
    db1(c)
      .prepare(
        "INSERT INTO loans (item_id, patron_id, reservation_id, loaned_at, due_date) SELECT ?, ?, ?, ?, ? WHERE changes() = 1 RETURNING id",
      )
      .bind(item.id, patron.id, hold?.id ?? null, now, due),
    // Collecting the copy set aside fulfils that reservation (貸出済み).
    db1(c)
      .prepare(
        "UPDATE reservations SET status = 'fulfilled', closed_at = ?, updated_at = ? WHERE id = ? AND status = 'on_hold' AND changes() = 1",
      )
      .bind(now, now, hold?.id ?? 0),
  ]);
  const loanId = loan?.results?.[0]?.id;
  if ((claimed?.meta.changes ?? 0) === 0 || loanId === undefined) {
    throw new AppError("invalid_state", "この所蔵の状態が変わりました。画面を開き直してください。");
  }
  await audit(c, "loan.create", { type: "loan", id: loanId });
  return { id: loanId, dueDate: due };
}

/** A return: the loan closes and the copy goes back on the shelf (the nightly refresh forgets the patron). */
export async function returnLoan(c: Context<AppEnv>, loanId: number) {
  const now = Date.now();
  const loan = await db1(c)
    .prepare("SELECT item_id AS itemId FROM loans WHERE id = ? AND returned_at IS NULL")
    .bind(loanId)
    .first<{ itemId: number }>();
  if (!loan) throw notFound("返却されていない貸出が見つかりませんでした。");
  await db1(c).batch([
    db1(c).prepare("UPDATE loans SET returned_at = ? WHERE id = ?").bind(now, loanId),
    db1(c)
      .prepare("UPDATE items SET status = 'available', updated_at = ? WHERE id = ? AND status = 'on_loan'")
      .bind(now, loan.itemId),
  ]);
  await audit(c, "loan.return", { type: "loan", id: loanId });
  return { id: loanId, returned: true };
}

/** Marks a date as an opening day or a closed day in the library calendar. */
export async function setOpeningDay(c: Context<AppEnv>, date: string, open: boolean): Promise<void> {
  await db1(c)
    .prepare("INSERT INTO calendar_days (date, open) VALUES (?, ?) ON CONFLICT (date) DO UPDATE SET open = excluded.open")
    .bind(date, open ? 1 : 0)
    .run();
  await audit(c, "calendar.set", { type: "date", id: date }, { open });
}

/** A new material; its search row is written in the same batch, so search finds it at once. */
export async function createMaterial(c: Context<AppEnv>, m: z.output<typeof materialSchema>) {
  const [inserted] = await db1(c).batch<{ id: number }>(materialStatements(c, m));
  const materialId = inserted?.results?.[0]?.id as number;
  await audit(c, "material.create", { type: "material", id: materialId });
  return { id: materialId };
}

/** Corrects a material's record (only the given fields); the search row follows in the same batch. */
export async function updateMaterial(c: Context<AppEnv>, materialId: number, patch: z.output<typeof materialPatchSchema>) {
  const current = await db1(c)
    .prepare(
      `SELECT title, title_kana AS titleKana, author, author_kana AS authorKana, publisher, year, isbn, ndc, subject, series, type,
              magazine_title AS magazineTitle, issue_label AS issueLabel, issue_date AS issueDate, latest_issue AS latestIssue
       FROM materials WHERE id = ?`,
    )
    .bind(materialId)
    .first<Record<string, unknown> & { title: string }>();
  if (!current) throw notFound("指定された資料は見つかりませんでした。");
  const merged = { ...current, latestIssue: current.latestIssue === 1, ...patch };
  await db1(c).batch(materialStatements(c, merged, materialId));
  await audit(c, "material.update", { type: "material", id: materialId }, { fields: Object.keys(patch) });
  return { id: materialId };
}

/** A new copy of a material at a branch; `loanable: false` is 禁帯出. */
export async function createItem(c: Context<AppEnv>, it: z.output<typeof itemSchema>) {
  const barcode = it.barcode ?? `T${Date.now().toString(36).toUpperCase()}${crypto.getRandomValues(new Uint16Array(1))[0] ?? 0}`;
  const r = await db1(c)
    .prepare(
      `INSERT INTO items (material_id, branch_code, barcode, call_number, loanable, status, updated_at)
       SELECT ?, ?, ?, ?, ?, 'available', ? WHERE EXISTS (SELECT 1 FROM materials WHERE id = ?) AND EXISTS (SELECT 1 FROM branches WHERE code = ?)
       ON CONFLICT DO NOTHING RETURNING id`,
    )
    .bind(it.materialId, it.branch, barcode, it.callNumber ?? null, it.loanable ? 1 : 0, Date.now(), it.materialId, it.branch)
    .first<{ id: number }>();
  if (!r) throw invalidRequest({ barcode: "資料・館が見つからないか、バーコードがすでに使われています。" });
  await audit(c, "item.create", { type: "item", id: r.id });
  return { id: r.id, barcode };
}

/** A copy's status (行方不明, 破損, 除籍 …), 禁帯出 or call number. */
export async function updateItem(c: Context<AppEnv>, itemId: number, p: z.output<typeof itemPatchSchema>) {
  const now = Date.now();
  const current = await db1(c).prepare("SELECT status FROM items WHERE id = ?").bind(itemId).first<{ status: string }>();
  if (!current) throw notFound("指定された所蔵は見つかりませんでした。");
  if (p.status && current.status === "on_loan")
    throw new AppError("invalid_state", "貸出中の所蔵です。返却してから状態を変えてください。");
  const writes = [
    db1(c)
      .prepare(
        "UPDATE items SET status = coalesce(?, status), loanable = coalesce(?, loanable), call_number = coalesce(?, call_number), updated_at = ? WHERE id = ?",
      )
      .bind(p.status ?? null, p.loanable === undefined ? null : p.loanable ? 1 : 0, p.callNumber ?? null, now, itemId),
  ];
  // A copy set aside that turns out missing, damaged or withdrawn no longer serves its hold: the
  // reservation goes back to 予約中 and keeps its place in the queue.
  if (p.status && current.status === "on_hold") {
    writes.push(
      db1(c)
        .prepare(
          "UPDATE reservations SET status = 'reserved', hold_item_id = NULL, held_at = NULL, hold_until = NULL, updated_at = ? WHERE hold_item_id = ? AND status = 'on_hold'",
        )
        .bind(now, itemId),
    );
  }
  await db1(c).batch(writes);
  await audit(c, "item.update", { type: "item", id: itemId }, p);
  return { id: itemId };
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
}

/** The mail outbox, newest first, optionally of one state (the API and the staff page). */
export async function outboxRows(db: D1Database, status?: string): Promise<OutboxRow[]> {
  const rows = await db
    .prepare(
      `SELECT id, to_address AS "to", subject, kind, status, attempts, created_at AS createdAt, sent_at AS sentAt
       FROM mail_outbox WHERE (?1 IS NULL OR status = ?1) ORDER BY id DESC LIMIT 200`,
    )
    .bind(status ?? null)
    .all<OutboxRow>();
  return rows.results;
}

/**
 * Sets a copy aside for a 予約中 reservation (お取り置き) with a deadline counted in opening days, and asks
 * the mail queue for the hold-ready mail. Returns the deadline.
 */
export async function setAside(c: Context<AppEnv>, reservationId: number, itemId: number): Promise<string> {
  const r = await db1(c)
    .prepare("SELECT id, material_id AS materialId, status FROM reservations WHERE id = ?")
    .bind(reservationId)
    .first<{ id: number; materialId: number; status: string }>();
  if (!r) throw notFound("指定された予約は見つかりませんでした。");
  if (r.status !== "reserved" && r.status !== "cancel_requested") {
    throw new AppError("invalid_state", "予約中の予約だけをお取り置きにできます。");
  }
  const now = Date.now();
  const today = tokyoDate(now);
  const until =
    holdDeadline(today, Number(c.env.HOLD_DAYS), await openDatesFrom(c, today)) ?? addDays(today, Number(c.env.HOLD_DAYS));
  // The copy must be this material's, lendable and free; the reservation changes only if the copy did.
  const [item, res] = await db1(c).batch([
    db1(c)
      .prepare(
        `UPDATE items SET status = 'on_hold', updated_at = ? WHERE id = ? AND material_id = ? AND loanable = 1 AND status IN ('available', 'in_transit')`,
      )
      .bind(now, itemId, r.materialId),
    db1(c)
      .prepare(
        `UPDATE reservations SET status = 'on_hold', hold_item_id = ?, held_at = ?, hold_until = ?, updated_at = ?
         WHERE id = ? AND status IN ('reserved', 'cancel_requested') AND changes() = 1`,
      )
      .bind(itemId, now, until, now, reservationId),
  ]);
  if ((item?.meta.changes ?? 0) === 0 || (res?.meta.changes ?? 0) === 0) {
    if ((item?.meta.changes ?? 0) === 1) {
      await db1(c).prepare("UPDATE items SET status = 'available' WHERE id = ? AND status = 'on_hold'").bind(itemId).run();
    }
    throw new AppError("invalid_state", "その所蔵はこの資料の貸出可能な在架の所蔵ではありません。");
  }
  await audit(c, "reservation.hold", { type: "reservation", id: reservationId }, { itemId });
  // The hold-ready mail goes through the mail queue (sent only when the patron chose メール).
  const notify: NotifyMessage = {
    type: "notify",
    kind: "hold_ready",
    reservationIds: [reservationId],
    baseUrl: new URL(c.req.url).origin,
  };
  await requestMail(c.env, [notify]);
  return until;
}

// requireStaffApi runs in app.tsx for every /api/v1/admin path, so unknown paths answer 401 too.
export const adminApi = new Hono<AppEnv>()
  .post("/branches", zValidator("json", branchSchema, throwInvalid), async (c) => {
    const b = c.req.valid("json");
    const r = await db1(c)
      .prepare("INSERT INTO branches (code, name, pickup) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
      .bind(b.code, b.name, b.pickup ? 1 : 0)
      .run();
    if (r.meta.changes === 0) throw new AppError("invalid_state", "その館コードはすでに登録されています。");
    await audit(c, "branch.create", { type: "branch", id: b.code });
    return c.json(b, 201);
  })
  .post("/materials", zValidator("json", materialSchema, throwInvalid), async (c) =>
    c.json(await createMaterial(c, c.req.valid("json")), 201),
  )
  .patch("/materials/:id", zValidator("json", materialPatchSchema, throwInvalid), async (c) =>
    c.json(await updateMaterial(c, id(c), c.req.valid("json"))),
  )
  .post("/items", zValidator("json", itemSchema, throwInvalid), async (c) =>
    c.json(await createItem(c, c.req.valid("json")), 201),
  )
  .patch("/items/:id", zValidator("json", itemPatchSchema, throwInvalid), async (c) =>
    c.json(await updateItem(c, id(c), c.req.valid("json"))),
  )
  .post("/patrons", zValidator("json", patronSchema, throwInvalid), async (c) =>
    c.json(await registerPatron(c, c.req.valid("json")), 201),
  )
  .post("/patrons/:cardNumber/reset-password", async (c) => c.json(await resetPassword(c, c.req.param("cardNumber"))))
  .patch("/patrons/:cardNumber", zValidator("json", patronPatchSchema, throwInvalid), async (c) =>
    c.json(await updatePatron(c, c.req.param("cardNumber"), c.req.valid("json"))),
  )
  .post("/reservations", zValidator("json", counterReservationSchema, throwInvalid), async (c) =>
    c.json(await counterReservation(c, c.req.valid("json")), 201),
  )
  .post("/reservations/:id/hold", zValidator("json", holdSchema, throwInvalid), async (c) => {
    const reservationId = id(c);
    const holdUntil = await setAside(c, reservationId, c.req.valid("json").itemId);
    return c.json({ id: reservationId, status: "on_hold", holdUntil });
  })
  .post("/reservations/:id/cancel", async (c) => {
    const reservationId = id(c);
    const now = Date.now();
    const r = await db1(c)
      .prepare("SELECT status, hold_item_id AS holdItemId FROM reservations WHERE id = ?")
      .bind(reservationId)
      .first<{ status: string; holdItemId: number | null }>();
    if (!r) throw notFound("指定された予約は見つかりませんでした。");
    if (!["applied", "reserved", "cancel_requested", "on_hold"].includes(r.status))
      throw new AppError("invalid_state", "この予約はすでに終了しています。");
    const [cancelled] = await db1(c).batch([
      db1(c)
        .prepare("UPDATE reservations SET status = 'cancelled', closed_at = ?, updated_at = ? WHERE id = ? AND status = ?")
        .bind(now, now, reservationId, r.status),
      // The copy set aside for this reservation (only if it was on hold and just cancelled) goes back to the shelf.
      db1(c)
        .prepare("UPDATE items SET status = 'available', updated_at = ? WHERE id = ? AND status = 'on_hold' AND changes() = 1")
        .bind(now, r.status === "on_hold" ? (r.holdItemId ?? 0) : 0),
    ]);
    if ((cancelled?.meta.changes ?? 0) === 0)
      throw new AppError("invalid_state", "この予約の状態が変わりました。画面を開き直してください。");
    await audit(c, "reservation.cancel", { type: "reservation", id: reservationId });
    return c.json({ id: reservationId, status: "cancelled" });
  })
  .post("/loans", zValidator("json", loanSchema, throwInvalid), async (c) => c.json(await lend(c, c.req.valid("json")), 201))
  .post("/loans/:id/return", async (c) => c.json(await returnLoan(c, id(c))))
  .put("/calendar/:date", zValidator("json", calendarSchema, throwInvalid), async (c) => {
    const date = c.req.param("date");
    if (!isValidDate(date)) throw invalidRequest({ date: "日付は YYYY-MM-DD で指定してください。" });
    const { open } = c.req.valid("json");
    await setOpeningDay(c, date, open);
    return c.json({ date, open });
  })
  .post("/jobs/:job{acceptance|nightly}", zValidator("json", jobSchema, throwInvalid), async (c) => {
    const job = c.req.param("job") as "acceptance" | "nightly";
    const options = { date: c.req.valid("json").date, now: Date.now(), baseUrl: new URL(c.req.url).origin };
    const summary = job === "acceptance" ? await runJob(c.env, "acceptance", options) : await runJob(c.env, "nightly", options);
    await audit(c, `job.${job}`, { type: "job", id: summary.businessDate });
    return c.json(summary);
  })
  .get("/mail", async (c) => {
    const rows = await outboxRows(db1(c), c.req.query("status"));
    return c.json(
      rows.map((r) => ({ ...r, createdAt: tokyoIso(r.createdAt), sentAt: r.sentAt === null ? null : tokyoIso(r.sentAt) })),
    );
  });
