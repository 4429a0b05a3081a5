// What a patron changes of their own loans and reservations, through the Worker: 貸出延長 (one and all),
// 受取館変更・予約の保留・不要になる日 (PATCH and the page), 取置期限の延長, 予約順位 explained, what a suspension
// does to the queue, the nightly cancellation after 不要になる日, and the pages without JavaScript.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { addDays, tokyoDate } from "../../src/domain/calendar";
import { runNightly } from "../../src/jobs/nightly";
import { holdCandidates } from "../../src/reservations/read";
import { jaDateShort } from "../../src/views/format";
import { loadCatalog } from "../support/catalog";
import { call } from "../support/http";
import { apiLogin, cookiesFrom, createPatron, formPost, type TestPatron, withToken } from "../support/patrons";
import { insertLoan, insertReservation } from "../support/rows";

beforeAll(loadCatalog);

const DAY = 24 * 60 * 60 * 1000;
const LOAN_DAYS = 14;
const today = () => tokyoDate(Date.now());

interface ErrorBody {
  error: { code: string; message: string; reason?: string; fields?: Record<string, string>; status?: string };
}
interface ReservationJson {
  id: number;
  materialId: number;
  title: string;
  pickupBranch: string;
  status: string;
  queuePosition: number | null;
  copiesServing: number;
  estimatedWait: { fromDays: number; toDays: number } | null;
  holdUntil: string | null;
  holdExtended: boolean;
  suspendedUntil: string | null;
  notNeededAfter: string | null;
}
interface LoanJson {
  itemId: number;
  dueDate: string;
  overdue: boolean;
  renewed: boolean;
}

async function api<T>(path: string, init: RequestInit): Promise<{ status: number; body: T }> {
  const res = await call(path, init);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

// ---- patrons, from a fresh client address each (so the login throttles never interfere) ----

let addressSerial = 0;
const freshAddress = () => {
  addressSerial += 1;
  return `203.0.${addressSerial >> 8}.${(addressSerial & 255) + 1}`;
};

async function apiPatron(): Promise<TestPatron & { token: string }> {
  const p = await createPatron({ mustChange: false, password: "Yomu2718" });
  const { body } = await apiLogin(p, freshAddress());
  if (!body.token) throw new Error("test patron could not log in");
  return { ...p, token: body.token };
}

/** A same-origin form post from its own client address. */
function post(path: string, fields: Record<string, string | string[]>, cookie?: string): Promise<Response> {
  const init = formPost(fields, cookie);
  init.headers = { ...(init.headers as Record<string, string>), "CF-Connecting-IP": freshAddress() };
  return call(path, init);
}

async function page(path: string, cookie: string): Promise<{ status: number; html: string; res: Response }> {
  const res = await call(path, { redirect: "manual", headers: { Cookie: cookie } });
  return { status: res.status, html: await res.text(), res };
}

async function pagePatron(): Promise<{ patron: TestPatron; jar: string }> {
  const patron = await createPatron({ mustChange: false, password: "Yomu2718" });
  const res = await post("/login", { cardNumber: patron.cardNumber, password: patron.password });
  expect(res.status).toBe(303);
  return { patron, jar: cookiesFrom(res) };
}

/** Another patron, only as a row (never logged in): someone else in a queue. */
const stranger = () => createPatron({ mustChange: false });

// ---- materials of this file only: each test makes its own ----

let materialSerial = 0;

/** A new material with `copies` lendable copies at 中央 (on the shelf), plus any extra copies as given. */
async function newMaterial(
  copies = 1,
  extra: Array<{ status?: string; loanable?: boolean }> = [],
): Promise<{ id: number; title: string; itemIds: number[] }> {
  materialSerial += 1;
  const serial = materialSerial;
  const title = `利用者操作テスト資料${serial}`;
  const m = await env.DB.prepare(
    "INSERT INTO materials (title, type, title_sort, title_norm) VALUES (?, 'book', ?, ?) RETURNING id",
  )
    .bind(title, title, title)
    .first<{ id: number }>();
  const id = m?.id as number;
  const itemIds: number[] = [];
  const specs = [...Array.from({ length: copies }, () => ({})), ...extra] as Array<{ status?: string; loanable?: boolean }>;
  for (const [k, s] of specs.entries()) {
    const row = await env.DB.prepare(
      "INSERT INTO items (material_id, branch_code, barcode, call_number, status, loanable) VALUES (?, 'central', ?, '913/テ', ?, ?) RETURNING id",
    )
      .bind(id, `PC${String(serial).padStart(5, "0")}-${k}`, s.status ?? "available", (s.loanable ?? true) ? 1 : 0)
      .first<{ id: number }>();
    itemIds.push(row?.id as number);
  }
  return { id, title, itemIds };
}

/** A loan of a new material's copy to the patron, due on `dueDate`. */
async function newLoan(patronId: number, dueDate: string): Promise<{ itemId: number; materialId: number; title: string }> {
  const m = await newMaterial(1);
  const itemId = m.itemIds[0] as number;
  await env.DB.prepare("UPDATE items SET status = 'on_loan' WHERE id = ?").bind(itemId).run();
  await insertLoan(patronId, itemId, { loanedAt: Date.now() - 10 * DAY, dueDate });
  return { itemId, materialId: m.id, title: m.title };
}

const loanRow = (itemId: number) =>
  env.DB.prepare("SELECT due_date AS dueDate, renewed_at AS renewedAt FROM loans WHERE item_id = ? AND returned_at IS NULL")
    .bind(itemId)
    .first<{ dueDate: string; renewedAt: number | null }>();

const reservationDb = (id: number) =>
  env.DB.prepare(
    `SELECT status, pickup_branch AS pickupBranch, suspended_until AS suspendedUntil, not_needed_after AS notNeededAfter,
       hold_until AS holdUntil, hold_extended_at AS holdExtendedAt, reason_code AS reasonCode, closed_at AS closedAt
     FROM reservations WHERE id = ?`,
  )
    .bind(id)
    .first<{
      status: string;
      pickupBranch: string;
      suspendedUntil: string | null;
      notNeededAfter: string | null;
      holdUntil: string | null;
      holdExtendedAt: number | null;
      reasonCode: string | null;
      closedAt: number | null;
    }>();

const setReservation = (id: number, column: "suspended_until" | "not_needed_after", value: string | null) =>
  env.DB.prepare(`UPDATE reservations SET ${column} = ? WHERE id = ?`).bind(value, id).run();

const renew = (token: string, itemId: number | string) =>
  api<{ itemId: number; dueDate: string } & ErrorBody>(`/api/v1/me/loans/${itemId}/renew`, withToken(token, "POST"));
const patch = (token: string, id: number, body: unknown) =>
  api<ReservationJson & ErrorBody>(`/api/v1/me/reservations/${id}`, withToken(token, "PATCH", body));
const extendHold = (token: string, id: number) =>
  api<{ holdUntil: string } & ErrorBody>(`/api/v1/me/reservations/${id}/extend-hold`, withToken(token, "POST"));
const myReservations = async (token: string) =>
  (await api<{ items: ReservationJson[] }>("/api/v1/me/reservations", withToken(token, "GET"))).body.items;

const ADMIN = { Authorization: "Bearer test-admin-token", "content-type": "application/json" };
const staffHold = (reservationId: number, itemId: number) =>
  api<ErrorBody & { status?: string; holdUntil?: string }>(`/api/v1/admin/reservations/${reservationId}/hold`, {
    method: "POST",
    headers: ADMIN,
    body: JSON.stringify({ itemId }),
  });

/**
 * Calendar rows after `from`: `pattern` says, day by day from the next day, open (1) or closed (0). Each
 * test uses its own stretch of far-future dates, so the opening days after its hold deadline are its own.
 */
async function calendarAfter(from: string, pattern: Array<0 | 1>): Promise<void> {
  await env.DB.batch(
    pattern.map((open, k) =>
      env.DB.prepare("INSERT OR REPLACE INTO calendar_days (date, open, note) VALUES (?, ?, NULL)").bind(
        addDays(from, k + 1),
        open,
      ),
    ),
  );
}

/** A hold deadline far ahead, a different stretch per call (10 days apart), with no calendar rows yet. */
let holdStretch = 0;
const farDeadline = () => addDays(today(), 400 + 10 * holdStretch++);

// ====================================================================================================

describe("POST /api/v1/me/loans/:itemId/renew (貸出延長)", () => {
  it("renews for LOAN_DAYS from today (Tokyo): 200 {dueDate}; GET /me/loans shows it renewed", async () => {
    const p = await apiPatron();
    const loan = await newLoan(p.id, addDays(today(), 3));
    const res = await renew(p.token, loan.itemId);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ itemId: loan.itemId, dueDate: addDays(today(), LOAN_DAYS) });
    const row = await loanRow(loan.itemId);
    expect(row?.dueDate).toBe(addDays(today(), LOAN_DAYS));
    expect(row?.renewedAt).not.toBeNull();
    const loans = (await api<{ items: LoanJson[] }>("/api/v1/me/loans", withToken(p.token, "GET"))).body.items;
    expect(loans.find((l) => l.itemId === loan.itemId)).toMatchObject({
      dueDate: addDays(today(), LOAN_DAYS),
      overdue: false,
      renewed: true,
    });
  });

  it("a second renewal is 409 not_renewable, reason already_renewed, and changes nothing", async () => {
    const p = await apiPatron();
    const loan = await newLoan(p.id, addDays(today(), 1));
    expect((await renew(p.token, loan.itemId)).status).toBe(200);
    const before = await loanRow(loan.itemId);
    const again = await renew(p.token, loan.itemId);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: "not_renewable", reason: "already_renewed" });
    expect(again.body.error.message).toBe("延長は1冊につき1回までです。");
    expect(await loanRow(loan.itemId)).toEqual(before);
  });

  it("a material someone else has 予約中 is refused: reason reserved", async () => {
    const p = await apiPatron();
    const loan = await newLoan(p.id, addDays(today(), 5));
    await insertReservation((await stranger()).id, loan.materialId, "reserved");
    const res = await renew(p.token, loan.itemId);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "not_renewable", reason: "reserved" });
    expect(res.body.error.message).toBe("ほかの方の予約があるため、延長できません。");
    expect(await loanRow(loan.itemId)).toEqual({ dueDate: addDays(today(), 5), renewedAt: null });
  });

  it("an overdue loan is refused: reason overdue", async () => {
    const p = await apiPatron();
    const loan = await newLoan(p.id, addDays(today(), -1));
    const res = await renew(p.token, loan.itemId);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "not_renewable", reason: "overdue" });
    expect(await loanRow(loan.itemId)).toEqual({ dueDate: addDays(today(), -1), renewedAt: null });
  });

  it("overdue wins over reserved (the order the rules are asked in)", async () => {
    const p = await apiPatron();
    const loan = await newLoan(p.id, addDays(today(), -2));
    await insertReservation((await stranger()).id, loan.materialId, "reserved");
    const res = await renew(p.token, loan.itemId);
    expect(res.body.error).toMatchObject({ code: "not_renewable", reason: "overdue" });
  });

  it("a loan due today renews (not overdue yet)", async () => {
    const p = await apiPatron();
    const loan = await newLoan(p.id, today());
    const res = await renew(p.token, loan.itemId);
    expect(res.status).toBe(200);
    expect(res.body.dueDate).toBe(addDays(today(), LOAN_DAYS));
  });

  it("409 not_yet while a renewal would not move the due date (on the loan day, a long loan), and nothing is spent", async () => {
    const p = await apiPatron();
    for (const due of [addDays(today(), LOAN_DAYS + 6), addDays(today(), LOAN_DAYS)]) {
      const loan = await newLoan(p.id, due);
      const res = await renew(p.token, loan.itemId);
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ code: "not_renewable", reason: "not_yet" });
      expect(await loanRow(loan.itemId)).toMatchObject({ dueDate: due, renewedAt: null });
    }
  });

  it("an 予約申請中 application of someone else (not yet in the queue) does not stop it", async () => {
    const p = await apiPatron();
    const loan = await newLoan(p.id, addDays(today(), 2));
    await insertReservation((await stranger()).id, loan.materialId, "applied");
    expect((await renew(p.token, loan.itemId)).status).toBe(200);
  });

  it("404 not_found for an unknown item, another patron's loan, a returned loan and a malformed id", async () => {
    const p = await apiPatron();
    const other = await apiPatron();
    const theirs = await newLoan(other.id, addDays(today(), 4));
    const returned = await newMaterial(1);
    await insertLoan(p.id, returned.itemIds[0] as number, {
      loanedAt: Date.now() - 5 * DAY,
      dueDate: addDays(today(), 9),
      returnedAt: Date.now() - DAY,
    });
    const onShelf = await newMaterial(1);
    for (const itemId of [999_999, theirs.itemId, returned.itemIds[0] as number, onShelf.itemIds[0] as number, "abc", "0"]) {
      const res = await renew(p.token, itemId);
      expect(res.status, String(itemId)).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
    expect(await loanRow(theirs.itemId)).toEqual({ dueDate: addDays(today(), 4), renewedAt: null });
  });

  it("without a session: 401, nothing renewed", async () => {
    const p = await createPatron({ mustChange: false });
    const loan = await newLoan(p.id, addDays(today(), 3));
    const res = await api<ErrorBody>(`/api/v1/me/loans/${loan.itemId}/renew`, { method: "POST" });
    expect(res.status).toBe(401);
    expect((await loanRow(loan.itemId))?.renewedAt).toBeNull();
  });

  it("a patron suspended after logging in: the session is refused (401 unauthenticated), nothing renewed", async () => {
    // Observed behaviour: a suspended patron's session no longer authenticates (auth/sessions.ts), so the
    // API answers 401 before the renewal rule could say `suspended`.
    const p = await apiPatron();
    const loan = await newLoan(p.id, addDays(today(), 3));
    await env.DB.prepare("UPDATE patrons SET suspended = 1 WHERE id = ?").bind(p.id).run();
    const res = await renew(p.token, loan.itemId);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthenticated");
    expect(await loanRow(loan.itemId)).toEqual({ dueDate: addDays(today(), 3), renewedAt: null });
  });

  it("10 concurrent renewals of one loan: exactly one 200, nine 409 already_renewed, renewed once", async () => {
    const p = await apiPatron();
    const loan = await newLoan(p.id, addDays(today(), 2));
    const results = await Promise.all(Array.from({ length: 10 }, () => renew(p.token, loan.itemId)));
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 409);
    expect(ok).toHaveLength(1);
    expect(ok[0]?.body.dueDate).toBe(addDays(today(), LOAN_DAYS));
    expect(refused).toHaveLength(9);
    for (const r of refused) expect(r.body.error).toMatchObject({ code: "not_renewable", reason: "already_renewed" });
    const rows = await env.DB.prepare(
      "SELECT due_date AS dueDate, renewed_at IS NOT NULL AS renewed FROM loans WHERE item_id = ? AND patron_id = ?",
    )
      .bind(loan.itemId, p.id)
      .all<{ dueDate: string; renewed: number }>();
    expect(rows.results).toEqual([{ dueDate: addDays(today(), LOAN_DAYS), renewed: 1 }]);
  });
});

describe("PATCH /api/v1/me/reservations/:id (受取館変更・予約の保留・不要になる日)", () => {
  it("changes all three of a 予約中 reservation: 200 with the reservation, 予約順位 explained", async () => {
    const p = await apiPatron();
    const m = await newMaterial(1);
    const id = await insertReservation(p.id, m.id, "reserved");
    const body = { pickupBranch: "kita", suspendedUntil: addDays(today(), 10), notNeededAfter: addDays(today(), 30) };
    const res = await patch(p.token, id, body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id,
      materialId: m.id,
      status: "reserved",
      ...body,
      queuePosition: 1,
      copiesServing: 1,
      estimatedWait: { fromDays: 0, toDays: 23 },
    });
    expect(await reservationDb(id)).toMatchObject({ status: "reserved", ...body });
  });

  it("a field left out is kept; null (or an empty string) lifts a date", async () => {
    const p = await apiPatron();
    const m = await newMaterial(1);
    const id = await insertReservation(p.id, m.id, "reserved", { pickupBranch: "minami" });
    const s = addDays(today(), 5);
    const n = addDays(today(), 50);
    expect((await patch(p.token, id, { suspendedUntil: s, notNeededAfter: n })).status).toBe(200);
    const onlyBranch = await patch(p.token, id, { pickupBranch: "higashi" });
    expect(onlyBranch.body).toMatchObject({ pickupBranch: "higashi", suspendedUntil: s, notNeededAfter: n });
    const lifted = await patch(p.token, id, { suspendedUntil: null });
    expect(lifted.status).toBe(200);
    expect(lifted.body).toMatchObject({ pickupBranch: "higashi", suspendedUntil: null, notNeededAfter: n });
    const liftedToo = await patch(p.token, id, { notNeededAfter: "" });
    expect(liftedToo.status).toBe(200);
    expect(liftedToo.body).toMatchObject({ suspendedUntil: null, notNeededAfter: null });
    expect(await reservationDb(id)).toMatchObject({ pickupBranch: "higashi", suspendedUntil: null, notNeededAfter: null });
  });

  it("an 予約申請中 application may be changed too; it has no 予約順位 and no estimate", async () => {
    const p = await apiPatron();
    const m = await newMaterial(1);
    const id = await insertReservation(p.id, m.id, "applied");
    const res = await patch(p.token, id, { pickupBranch: "umibe", notNeededAfter: today() });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "applied",
      pickupBranch: "umibe",
      notNeededAfter: today(),
      queuePosition: null,
      estimatedWait: null,
    });
  });

  it("dates: today and exactly 180 / 366 days ahead are allowed", async () => {
    const p = await apiPatron();
    const m = await newMaterial(1);
    const id = await insertReservation(p.id, m.id, "reserved");
    expect((await patch(p.token, id, { suspendedUntil: today(), notNeededAfter: today() })).status).toBe(200);
    const far = await patch(p.token, id, { suspendedUntil: addDays(today(), 180), notNeededAfter: addDays(today(), 366) });
    expect(far.status).toBe(200);
    expect(far.body).toMatchObject({ suspendedUntil: addDays(today(), 180), notNeededAfter: addDays(today(), 366) });
  });

  it.each([
    ["suspendedUntil", -1, "今日以降の日付を指定してください。"],
    ["notNeededAfter", -1, "今日以降の日付を指定してください。"],
    ["suspendedUntil", 181, "保留できるのは180日先までです。"],
    ["notNeededAfter", 367, "不要になる日は1年先までで指定してください。"],
  ] as const)("%s %i days from today: 400 invalid_request naming the field, nothing changed", async (name, days, message) => {
    const p = await apiPatron();
    const m = await newMaterial(1);
    const id = await insertReservation(p.id, m.id, "reserved");
    // All or none: the branch given with it is not changed either.
    const res = await patch(p.token, id, { pickupBranch: "kita", [name]: addDays(today(), days) });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect(res.body.error.fields).toEqual({ [name]: message });
    expect(await reservationDb(id)).toMatchObject({ pickupBranch: "central", suspendedUntil: null, notNeededAfter: null });
  });

  it("a date that is not a date: 400 naming the field", async () => {
    const p = await apiPatron();
    const m = await newMaterial(1);
    const id = await insertReservation(p.id, m.id, "reserved");
    for (const bad of ["2026-02-30", "tomorrow", "2026/12/10"]) {
      const res = await patch(p.token, id, { suspendedUntil: bad });
      expect(res.status, bad).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
      expect(Object.keys(res.body.error.fields ?? {})).toContain("suspendedUntil");
    }
  });

  it("an unknown branch: 400 naming pickupBranch; a malformed one too", async () => {
    const p = await apiPatron();
    const m = await newMaterial(1);
    const id = await insertReservation(p.id, m.id, "reserved");
    const unknown = await patch(p.token, id, { pickupBranch: "nowhere" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe("invalid_request");
    expect(unknown.body.error.fields).toEqual({ pickupBranch: "指定された受取館はありません。" });
    const malformed = await patch(p.token, id, { pickupBranch: "../../x" });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.fields?.pickupBranch).toBeDefined();
    expect((await reservationDb(id))?.pickupBranch).toBe("central");
  });

  it("an empty body: 400 invalid_request", async () => {
    const p = await apiPatron();
    const m = await newMaterial(1);
    const id = await insertReservation(p.id, m.id, "reserved");
    const res = await patch(p.token, id, {});
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect(res.body.error.fields?.pickupBranch).toBe("変更する項目を指定してください。");
  });

  it("once お取り置き: 409 invalid_state, whichever field, nothing changed", async () => {
    const p = await apiPatron();
    const m = await newMaterial(1);
    const id = await insertReservation(p.id, m.id, "on_hold", { holdUntil: addDays(today(), 5) });
    for (const body of [
      { pickupBranch: "kita" },
      { suspendedUntil: addDays(today(), 3) },
      { notNeededAfter: addDays(today(), 3) },
      { suspendedUntil: null },
    ]) {
      const res = await patch(p.token, id, body);
      expect(res.status, JSON.stringify(body)).toBe(409);
      expect(res.body.error.code).toBe("invalid_state");
    }
    expect(await reservationDb(id)).toMatchObject({
      status: "on_hold",
      pickupBranch: "central",
      suspendedUntil: null,
      notNeededAfter: null,
    });
  });

  it.each(["cancel_requested", "cancelled", "fulfilled", "expired"] as const)(
    "a reservation %s: 409 invalid_state",
    async (status) => {
      const p = await apiPatron();
      const m = await newMaterial(1);
      const id = await insertReservation(p.id, m.id, status);
      const res = await patch(p.token, id, { pickupBranch: "kita" });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("invalid_state");
      expect((await reservationDb(id))?.pickupBranch).toBe("central");
    },
  );

  it("another patron's reservation, or none: 404, nothing changed", async () => {
    const p = await apiPatron();
    const m = await newMaterial(1);
    const theirs = await insertReservation((await stranger()).id, m.id, "reserved");
    const res = await patch(p.token, theirs, { pickupBranch: "kita", suspendedUntil: addDays(today(), 3) });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
    expect(await reservationDb(theirs)).toMatchObject({ pickupBranch: "central", suspendedUntil: null });
    expect((await patch(p.token, 999_999, { pickupBranch: "kita" })).status).toBe(404);
  });
});

describe("POST /api/v1/me/reservations/:id/extend-hold (取置期限の延長)", () => {
  it("moves the deadline HOLD_EXTEND_DAYS (3) opening days on, counting only open calendar days, once", async () => {
    const p = await apiPatron();
    const m = await newMaterial(1);
    const holdUntil = farDeadline();
    // +1 open, +2 closed, +3 open, +4 closed, +5 open: the third opening day after the deadline is +5.
    await calendarAfter(holdUntil, [1, 0, 1, 0, 1, 1]);
    const id = await insertReservation(p.id, m.id, "on_hold", { holdUntil });
    const res = await extendHold(p.token, id);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ holdUntil: addDays(holdUntil, 5) });
    const row = await reservationDb(id);
    expect(row).toMatchObject({ status: "on_hold", holdUntil: addDays(holdUntil, 5) });
    expect(row?.holdExtendedAt).not.toBeNull();
    const item = (await myReservations(p.token)).find((r) => r.id === id);
    expect(item).toMatchObject({ holdUntil: addDays(holdUntil, 5), holdExtended: true });

    const again = await extendHold(p.token, id);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("invalid_state");
    expect(again.body.error.message).toBe("取置期限の延長は1回までです。");
    expect((await reservationDb(id))?.holdUntil).toBe(addDays(holdUntil, 5));
  });

  it("not お取り置き: 409 invalid_state; another patron's or none: 404", async () => {
    const p = await apiPatron();
    const waiting = await insertReservation(p.id, (await newMaterial(1)).id, "reserved");
    const res = await extendHold(p.token, waiting);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("invalid_state");
    expect(res.body.error.message).toBe("お取り置き中の予約だけ、取置期限を延長できます。");
    expect(await reservationDb(waiting)).toMatchObject({ status: "reserved", holdExtendedAt: null });

    const holdUntil = farDeadline();
    const theirs = await insertReservation((await stranger()).id, (await newMaterial(1)).id, "on_hold", { holdUntil });
    const foreign = await extendHold(p.token, theirs);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe("not_found");
    expect(await reservationDb(theirs)).toMatchObject({ holdUntil, holdExtendedAt: null });
    expect((await extendHold(p.token, 999_999)).status).toBe(404);
  });

  it("5 concurrent extensions: exactly one 200, the deadline moved once", async () => {
    const p = await apiPatron();
    const holdUntil = farDeadline();
    await calendarAfter(holdUntil, [1, 1, 1, 1, 1, 1, 1, 1, 1]);
    const id = await insertReservation(p.id, (await newMaterial(1)).id, "on_hold", { holdUntil });
    const results = await Promise.all(Array.from({ length: 5 }, () => extendHold(p.token, id)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const refused = results.filter((r) => r.status === 409);
    expect(refused).toHaveLength(4);
    for (const r of refused) expect(r.body.error.code).toBe("invalid_state");
    expect((await reservationDb(id))?.holdUntil).toBe(addDays(holdUntil, 3));
  });
});

describe("GET /api/v1/me/reservations: 予約順位 explained", () => {
  it("carries queuePosition, copiesServing (lendable, usable copies only), estimatedWait, suspendedUntil, notNeededAfter", async () => {
    const p = await apiPatron();
    // Two lendable copies, plus one 禁帯出 and one missing: two serve the queue.
    const m = await newMaterial(2, [{ loanable: false }, { status: "missing" }]);
    const early = Date.now() - 10 * DAY;
    for (let k = 0; k < 2; k++) await insertReservation((await stranger()).id, m.id, "reserved", { acceptedAt: early + k });
    const third = await insertReservation(p.id, m.id, "reserved", { appliedAt: Date.now() - 5 * DAY });
    await setReservation(third, "suspended_until", addDays(today(), 7));
    await setReservation(third, "not_needed_after", addDays(today(), 90));
    const applied = await insertReservation(p.id, (await newMaterial(1)).id, "applied");
    const noCopy = await newMaterial(0, [{ status: "missing" }]);
    const unserved = await insertReservation(p.id, noCopy.id, "reserved");

    const items = await myReservations(p.token);
    const byId = new Map(items.map((r) => [r.id, r]));
    expect(byId.get(third)).toMatchObject({
      queuePosition: 3,
      copiesServing: 2,
      estimatedWait: { fromDays: 14, toDays: 46 },
      suspendedUntil: addDays(today(), 7),
      notNeededAfter: addDays(today(), 90),
    });
    expect(byId.get(applied)).toMatchObject({
      queuePosition: null,
      copiesServing: 1,
      estimatedWait: null,
      suspendedUntil: null,
      notNeededAfter: null,
    });
    expect(byId.get(unserved)).toMatchObject({ queuePosition: 1, copiesServing: 0, estimatedWait: null });
  });
});

describe("予約の保留 and the queue", () => {
  const inCandidates = async (ids: number[]) =>
    (await holdCandidates(env.DB, today())).filter((c) => ids.includes(c.reservationId)).map((c) => c.reservationId);

  it("the first in line suspends: staff cannot set the copy aside for them, the second gets it; both keep their places", async () => {
    const first = await apiPatron();
    const second = await stranger();
    const m = await newMaterial(1);
    const itemId = m.itemIds[0] as number;
    const accepted = Date.now() - 5 * DAY;
    const a = await insertReservation(first.id, m.id, "reserved", { acceptedAt: accepted });
    const b = await insertReservation(second.id, m.id, "reserved", { acceptedAt: accepted + 1000 });
    const suspended = await patch(first.token, a, { suspendedUntil: addDays(today(), 5) });
    expect(suspended.status).toBe(200);
    // The place is kept.
    expect(suspended.body.queuePosition).toBe(1);

    expect(await inCandidates([a, b])).toEqual([b]);
    const refused = await staffHold(a, itemId);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("invalid_state");
    expect((await reservationDb(a))?.status).toBe("reserved");
    const given = await staffHold(b, itemId);
    expect(given.status).toBe(200);
    expect((await reservationDb(b))?.status).toBe("on_hold");
    expect((await reservationDb(a))?.status).toBe("reserved");
  });

  it("suspended through today is still passed over; once the date is past, the first is first again", async () => {
    const m = await newMaterial(1);
    const itemId = m.itemIds[0] as number;
    const accepted = Date.now() - 5 * DAY;
    const a = await insertReservation((await stranger()).id, m.id, "reserved", { acceptedAt: accepted });
    const b = await insertReservation((await stranger()).id, m.id, "reserved", { acceptedAt: accepted + 1000 });

    await setReservation(a, "suspended_until", today());
    expect(await inCandidates([a, b])).toEqual([b]);

    await setReservation(a, "suspended_until", addDays(today(), -1));
    expect(await inCandidates([a, b])).toEqual([a]);
    const second = await staffHold(b, itemId);
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe("invalid_state");
    expect((await reservationDb(b))?.status).toBe("reserved");
    expect((await staffHold(a, itemId)).status).toBe(200);
    expect((await reservationDb(a))?.status).toBe("on_hold");
  });
});

describe("the nightly refresh and 不要になる日", () => {
  it("cancels a waiting reservation whose 不要になる日 has passed (reason not_needed), keeps one ending today", async () => {
    const { patron, jar } = await pagePatron();
    const yesterday = addDays(today(), -1);
    const reserved = await insertReservation(patron.id, (await newMaterial(1)).id, "reserved");
    const applied = await insertReservation(patron.id, (await newMaterial(1)).id, "applied");
    const lastDay = await insertReservation(patron.id, (await newMaterial(1)).id, "reserved");
    const held = await insertReservation(patron.id, (await newMaterial(1)).id, "on_hold", {
      holdUntil: addDays(today(), 5),
    });
    await setReservation(reserved, "not_needed_after", yesterday);
    await setReservation(applied, "not_needed_after", yesterday);
    await setReservation(lastDay, "not_needed_after", today());
    await setReservation(held, "not_needed_after", yesterday);

    const summary = await runNightly(env.DB, today(), Date.now());
    expect(summary.notNeededCancelled).toBeGreaterThanOrEqual(2);

    expect(await reservationDb(reserved)).toMatchObject({ status: "cancelled", reasonCode: "not_needed" });
    expect((await reservationDb(reserved))?.closedAt).not.toBeNull();
    expect(await reservationDb(applied)).toMatchObject({ status: "application_cancelled", reasonCode: "not_needed" });
    expect(await reservationDb(lastDay)).toMatchObject({ status: "reserved", reasonCode: null });
    // お取り置き is past waiting: left to its hold deadline.
    expect(await reservationDb(held)).toMatchObject({ status: "on_hold", reasonCode: null });

    // 予約状況 says why, among the finished ones.
    const folded = /<details class="finished">[\s\S]*?<\/details>/.exec((await page("/account/reservations", jar)).html)?.[0];
    expect(folded).toContain("終了した予約（2件）");
    expect(folded).toContain("ご指定の「不要になる日」を過ぎたため、取り消しました。");
  });
});

// ====================================================================================================

describe("貸出状況 with 貸出延長 (pages, no JavaScript)", () => {
  /** The <tr> of 貸出状況 that links to this material. */
  const rowOf = (html: string, materialId: number) =>
    html.split("<tr").find((r) => r.includes(`href="/materials/${materialId}"`)) ?? "";

  it("offers 延長する per loan and 「延長できる資料をすべて延長する（n件）」; renews per item with each result", async () => {
    const { patron, jar } = await pagePatron();
    const a = await newLoan(patron.id, addDays(today(), 2));
    const b = await newLoan(patron.id, addDays(today(), 4));
    const c = await newLoan(patron.id, addDays(today(), 6));
    await insertReservation((await stranger()).id, c.materialId, "reserved");

    const before = await page("/account/loans", jar);
    expect(before.status).toBe(200);
    for (const l of [a, b]) {
      const row = rowOf(before.html, l.materialId);
      expect(row).toContain('<form action="/account/loans/renew" method="post">');
      expect(row).toContain(`name="itemIds" value="${l.itemId}"`);
      expect(row).toContain("延長する");
    }
    expect(rowOf(before.html, c.materialId)).toContain("延長できません（予約あり）");
    expect(rowOf(before.html, c.materialId)).not.toContain("延長する<");
    expect(before.html).toContain("延長できる資料をすべて延長する（2件）");
    const all = /<form action="\/account\/loans\/renew" method="post">(?:(?!<\/form>)[\s\S])*すべて延長する[\s\S]*?<\/form>/.exec(
      before.html,
    )?.[0];
    expect(all).toContain(`value="${a.itemId}"`);
    expect(all).toContain(`value="${b.itemId}"`);
    expect(all).not.toContain(`value="${c.itemId}"`);

    const res = await post("/account/loans/renew", { itemIds: [String(a.itemId), String(b.itemId), String(c.itemId)] }, jar);
    expect(res.status).toBe(200);
    const html = await res.text();
    const newDate = jaDateShort(addDays(today(), LOAN_DAYS));
    expect(html).toContain(`${a.title}：延長しました。新しい返却期限は${newDate}です。`);
    expect(html).toContain(`${b.title}：延長しました。新しい返却期限は${newDate}です。`);
    expect(html).toContain(`${c.title}：ほかの方の予約があるため、延長できません。`);
    expect(html.split("延長しました。").length - 1).toBe(2);
    expect(rowOf(html, a.materialId)).toContain("延長済み");
    expect(rowOf(html, a.materialId)).toContain(newDate);
    expect(rowOf(html, b.materialId)).toContain("延長済み");
    expect(html).not.toContain("延長できる資料をすべて延長する");
    expect((await loanRow(a.itemId))?.dueDate).toBe(addDays(today(), LOAN_DAYS));
    expect((await loanRow(b.itemId))?.dueDate).toBe(addDays(today(), LOAN_DAYS));
    expect(await loanRow(c.itemId)).toEqual({ dueDate: addDays(today(), 6), renewedAt: null });
  });

  it("one renewable loan: its own button, no 「すべて延長」; an overdue one cannot be renewed", async () => {
    const { patron, jar } = await pagePatron();
    const ok = await newLoan(patron.id, addDays(today(), 3));
    const late = await newLoan(patron.id, addDays(today(), -2));
    const { html } = await page("/account/loans", jar);
    expect(rowOf(html, ok.materialId)).toContain(`name="itemIds" value="${ok.itemId}"`);
    expect(rowOf(html, late.materialId)).toContain("延長できません（期限切れ）");
    expect(html).not.toContain("延長できる資料をすべて延長する");
    const res = await post("/account/loans/renew", { itemIds: String(late.itemId) }, jar);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`${late.title}：返却期限を過ぎているため、延長できません。お早めにご返却ください。`);
  });

  it("a renew form with nothing ticked: 400 page saying so", async () => {
    const { jar } = await pagePatron();
    const res = await post("/account/loans/renew", {}, jar);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("延長する資料を選んでください。");
  });
});

describe("予約の変更 (pages, no JavaScript)", () => {
  it("shows the change form of a waiting reservation", async () => {
    const { patron, jar } = await pagePatron();
    const m = await newMaterial(1);
    const id = await insertReservation(patron.id, m.id, "reserved", { pickupBranch: "minami" });
    const { status, html } = await page(`/account/reservations/${id}`, jar);
    expect(status).toBe(200);
    expect(html).toContain(m.title);
    expect(html).toContain(`<form action="/account/reservations/${id}" method="post">`);
    expect(html).toMatch(/<select[^>]*id="pickupBranch"[^>]*name="pickupBranch"/);
    expect(html).toMatch(/<option value="minami" selected=""/);
    expect(html).toMatch(new RegExp(`<input[^>]*type="date"[^>]*name="suspendedUntil"[^>]*min="${today()}"`));
    expect(html).toMatch(new RegExp(`<input[^>]*type="date"[^>]*name="notNeededAfter"[^>]*min="${today()}"`));
    // Another patron's reservation is not shown.
    const theirs = await insertReservation((await stranger()).id, m.id, "reserved");
    expect((await page(`/account/reservations/${theirs}`, jar)).status).toBe(404);
  });

  it("a change posts, redirects (303) to 予約状況 which says 予約を変更しました。, and shows the settings", async () => {
    const { patron, jar } = await pagePatron();
    const m = await newMaterial(1);
    const id = await insertReservation(patron.id, m.id, "reserved");
    const s = addDays(today(), 7);
    const n = addDays(today(), 60);
    const res = await post(`/account/reservations/${id}`, { pickupBranch: "kita", suspendedUntil: s, notNeededAfter: n }, jar);
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`/account/reservations?changed=${id}`);
    expect(await reservationDb(id)).toMatchObject({ pickupBranch: "kita", suspendedUntil: s, notNeededAfter: n });
    const { html } = await page(`/account/reservations?changed=${id}`, jar);
    expect(html).toContain("予約を変更しました。");
    expect(html).toContain(`保留中：${jaDateShort(s)}まで`);
    expect(html).toContain(`不要になる日：${jaDateShort(n)}`);
  });

  it("a past date: 400 page with 今日以降の日付を指定してください。, nothing changed", async () => {
    const { patron, jar } = await pagePatron();
    const m = await newMaterial(1);
    const id = await insertReservation(patron.id, m.id, "reserved");
    const res = await post(
      `/account/reservations/${id}`,
      { pickupBranch: "kita", suspendedUntil: addDays(today(), -1), notNeededAfter: "" },
      jar,
    );
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("今日以降の日付を指定してください。");
    expect(html).toMatch(/id="suspendedUntil"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="suspendedUntil"/);
    expect(await reservationDb(id)).toMatchObject({ pickupBranch: "central", suspendedUntil: null, notNeededAfter: null });
  });

  it("お取り置き cannot be changed from the page either (409)", async () => {
    const { patron, jar } = await pagePatron();
    const id = await insertReservation(patron.id, (await newMaterial(1)).id, "on_hold", { holdUntil: addDays(today(), 5) });
    const res = await post(`/account/reservations/${id}`, { pickupBranch: "kita", suspendedUntil: "", notNeededAfter: "" }, jar);
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("お取り置きの準備ができたため、変更できません。");
    expect((await reservationDb(id))?.pickupBranch).toBe("central");
  });
});

describe("お取り置き and 予約状況 (pages, no JavaScript)", () => {
  it("POST extend-hold says 取置期限を…まで延長しました。; a second time it is refused", async () => {
    const { patron, jar } = await pagePatron();
    const holdUntil = farDeadline();
    await calendarAfter(holdUntil, [0, 1, 1, 0, 1, 1]);
    const id = await insertReservation(patron.id, (await newMaterial(1)).id, "on_hold", { holdUntil });
    const before = await page("/account/reservations", jar);
    expect(before.html).toContain(`<form action="/account/reservations/${id}/extend-hold" method="post">`);
    const res = await post(`/account/reservations/${id}/extend-hold`, {}, jar);
    expect(res.status).toBe(200);
    const html = await res.text();
    // +1 closed, +2 and +3 open, +4 closed, +5 open: the third opening day is +5.
    expect(html).toContain(`取置期限を${jaDateShort(addDays(holdUntil, 5))}まで延長しました。`);
    expect(html).toContain("取置期限は延長済みです。");
    expect(html).not.toContain(`/account/reservations/${id}/extend-hold`);
    const again = await post(`/account/reservations/${id}/extend-hold`, {}, jar);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("取置期限の延長は1回までです。");
    expect((await reservationDb(id))?.holdUntil).toBe(addDays(holdUntil, 5));
  });

  it("the menu says お取り置き中の資料が1件あります。 when one is on hold, and nothing of it otherwise", async () => {
    const { patron, jar } = await pagePatron();
    expect((await page("/account", jar)).html).not.toContain("お取り置き中の資料が");
    await insertReservation(patron.id, (await newMaterial(1)).id, "on_hold", { holdUntil: addDays(today(), 5) });
    await insertReservation(patron.id, (await newMaterial(1)).id, "reserved");
    const { status, html } = await page("/account", jar);
    expect(status).toBe(200);
    expect(html).toContain("お取り置き中の資料が1件あります。");
  });

  it("lists お取り置き first, then 予約中 by 予約順位 (not by when applied), then 予約申請中; finished ones folded in <details>", async () => {
    const { patron, jar } = await pagePatron();
    const ahead = Date.now() - 20 * DAY;
    const [held, pos1, pos2, pos3, appliedM, finishedM] = await Promise.all(Array.from({ length: 6 }, () => newMaterial(1))).then(
      (ms) => ms.map((m) => m.id) as [number, number, number, number, number, number],
    );
    // Others ahead: one on pos2's material, two on pos3's.
    await insertReservation((await stranger()).id, pos2, "reserved", { acceptedAt: ahead });
    for (let k = 0; k < 2; k++) await insertReservation((await stranger()).id, pos3, "reserved", { acceptedAt: ahead + k });
    // Applied in an order that is neither the queue's nor its reverse: pos2, then pos1, then pos3.
    await insertReservation(patron.id, pos2, "reserved", { appliedAt: Date.now() - 9 * DAY });
    await insertReservation(patron.id, pos1, "reserved", { appliedAt: Date.now() - 8 * DAY });
    await insertReservation(patron.id, pos3, "reserved", { appliedAt: Date.now() - 7 * DAY });
    await insertReservation(patron.id, appliedM, "applied", { appliedAt: Date.now() - 10 * DAY });
    await insertReservation(patron.id, held, "on_hold", { appliedAt: Date.now() - 11 * DAY, holdUntil: addDays(today(), 4) });
    await insertReservation(patron.id, finishedM, "cancelled", { appliedAt: Date.now() - 2 * DAY });

    const { status, html } = await page("/account/reservations", jar);
    expect(status).toBe(200);
    const at = (id: number) => {
      const i = html.indexOf(`href="/materials/${id}"`);
      expect(i, `material ${id} listed`).toBeGreaterThan(-1);
      return i;
    };
    expect(html.indexOf("お取り置き中（1件）")).toBeGreaterThan(-1);
    expect(html.indexOf("お取り置き中（1件）")).toBeLessThan(html.indexOf("予約中・予約申請中"));
    expect(at(held)).toBeLessThan(at(pos1));
    expect(at(pos1)).toBeLessThan(at(pos2));
    expect(at(pos2)).toBeLessThan(at(pos3));
    expect(at(pos3)).toBeLessThan(at(appliedM));
    expect(html).toContain("予約順位 1位");
    expect(html).toContain("予約順位 2位");
    expect(html).toContain("予約順位 3位");

    const folded = /<details class="finished">[\s\S]*?<\/details>/.exec(html)?.[0] ?? "";
    expect(folded).toContain("終了した予約（1件）");
    expect(folded).toContain(`href="/materials/${finishedM}"`);
    for (const id of [held, pos1, pos2, pos3, appliedM]) expect(folded).not.toContain(`href="/materials/${id}"`);
    expect(at(appliedM)).toBeLessThan(at(finishedM));
  });
});

describe("mends after review", () => {
  const ADMIN = { Authorization: "Bearer test-admin-token", "content-type": "application/json" };

  it("取置期限の延長 is once per hold: a new hold after the copy was found damaged can be extended again", async () => {
    const p = await apiPatron();
    const m = await newMaterial(2);
    const r = await insertReservation(p.id, m.id, "reserved");
    const hold = (itemId: number) =>
      call(`/api/v1/admin/reservations/${r}/hold`, { method: "POST", headers: ADMIN, body: JSON.stringify({ itemId }) });
    expect((await hold(m.itemIds[0] as number)).status).toBe(200);
    expect((await api(`/api/v1/me/reservations/${r}/extend-hold`, withToken(p.token, "POST"))).status).toBe(200);
    // The copy turns out damaged: the reservation goes back to 予約中, then gets the other copy.
    await call(`/api/v1/admin/items/${m.itemIds[0]}`, {
      method: "PATCH",
      headers: ADMIN,
      body: JSON.stringify({ status: "damaged" }),
    });
    expect((await hold(m.itemIds[1] as number)).status).toBe(200);
    expect((await api(`/api/v1/me/reservations/${r}/extend-hold`, withToken(p.token, "POST"))).status).toBe(200);
  });

  it("a hold whose deadline has passed (waiting for the nightly expiry) cannot be extended", async () => {
    const p = await apiPatron();
    const m = await newMaterial(1);
    const r = await insertReservation(p.id, m.id, "on_hold", { holdUntil: addDays(today(), -1) });
    const res = await api<ErrorBody>(`/api/v1/me/reservations/${r}/extend-hold`, withToken(p.token, "POST"));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("invalid_state");
    expect((await env.DB.prepare("SELECT hold_until AS h FROM reservations WHERE id = ?").bind(r).first())?.h).toBe(
      addDays(today(), -1),
    );
  });

  it("the change page sends back only what changed: an ended suspension does not block a pickup change", async () => {
    const { patron, jar } = await pagePatron();
    const m = await newMaterial(1);
    const r = await insertReservation(patron.id, m.id, "reserved");
    await env.DB.prepare("UPDATE reservations SET suspended_until = ? WHERE id = ?").bind(addDays(today(), -3), r).run();
    const form = await page(`/account/reservations/${r}`, jar);
    expect(form.html).toMatch(/id="suspendedUntil"[^>]*value=""/);
    // The browser sends the form as shown: the old date is not in it, only the new branch.
    const res = await post(`/account/reservations/${r}`, { pickupBranch: "kita", suspendedUntil: "", notNeededAfter: "" }, jar);
    expect(res.status).toBe(303);
    const row = await env.DB.prepare("SELECT pickup_branch AS b, suspended_until AS s FROM reservations WHERE id = ?")
      .bind(r)
      .first();
    expect(row).toEqual({ b: "kita", s: addDays(today(), -3) });
    // Nothing changed at all: said so, nothing written.
    const same = await post(`/account/reservations/${r}`, { pickupBranch: "kita", suspendedUntil: "", notNeededAfter: "" }, jar);
    expect(same.headers.get("Location")).toBe(`/account/reservations?unchanged=${r}`);
  });

  it("a pickup branch no longer taking pickups stays the reservation's own on the change page", async () => {
    const { patron, jar } = await pagePatron();
    const m = await newMaterial(1);
    const r = await insertReservation(patron.id, m.id, "reserved", { pickupBranch: "higashi" });
    const pickup = (on: boolean) =>
      call("/api/v1/admin/branches/higashi", { method: "PUT", headers: ADMIN, body: JSON.stringify({ pickup: on }) });
    expect((await pickup(false)).status).toBe(200);
    try {
      const form = await page(`/account/reservations/${r}`, jar);
      expect(form.html).toContain('<option value="higashi" selected="">東部分館（現在の受取館）</option>');
      const res = await post(
        `/account/reservations/${r}`,
        { pickupBranch: "higashi", suspendedUntil: addDays(today(), 5), notNeededAfter: "" },
        jar,
      );
      expect(res.status).toBe(303);
      const row = await env.DB.prepare("SELECT pickup_branch AS b, suspended_until AS s FROM reservations WHERE id = ?")
        .bind(r)
        .first();
      expect(row).toEqual({ b: "higashi", s: addDays(today(), 5) });
    } finally {
      await pickup(true);
    }
  });

  it("the API's apply with card number and password and an emptied guest cart applies nothing of the saved cart", async () => {
    const p = await apiPatron();
    const saved = await newMaterial(1);
    await call("/api/v1/cart/items", withToken(p.token, "POST", { materialId: saved.id, pickupBranch: "central" }));
    const guest = await newMaterial(1);
    const added = await call("/api/v1/cart/items", {
      method: "POST",
      headers: { "content-type": "application/json", Origin: "https://library.test" },
      body: JSON.stringify({ materialId: guest.id, pickupBranch: "central" }),
    });
    const jar = cookiesFrom(added);
    await call(`/api/v1/cart/items/${guest.id}`, { method: "DELETE", headers: { Cookie: jar, Origin: "https://library.test" } });
    const res = await api<ErrorBody>("/api/v1/cart/apply", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        Cookie: jar,
        Origin: "https://library.test",
        "CF-Connecting-IP": freshAddress(),
      },
      body: JSON.stringify({ cardNumber: p.cardNumber, password: p.password }),
    });
    expect(res.status).toBe(400);
    expect(res.body.error.fields?.items).toBe("予約カートに資料がありません。");
    const count = await env.DB.prepare("SELECT count(*) AS n FROM reservations WHERE patron_id = ?")
      .bind(p.id)
      .first<{ n: number }>();
    expect(count?.n).toBe(0);
  });
});
