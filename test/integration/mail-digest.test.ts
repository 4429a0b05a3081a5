// The morning's one mail per patron, through runJob and the Worker's queue(): what the acceptance decided
// and copies set aside, listed in one message; a single event keeps its own mail; the opt-in reminders
// (返却期限が近い, 延滞 then weekly, 取置期限が近い) only on opening days and only once; redeliveries, a race
// with the single mail of a hold, and a crash between steps send nothing twice and lose nothing.
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { addDays } from "../../src/domain/calendar";
import { runJob } from "../../src/jobs/run";
import { digestFor } from "../../src/mail/digest";
import type { DigestMessage } from "../../src/mail/messages";
import { mailForReservation } from "../../src/mail/outbox";
import { loadCatalog } from "../support/catalog";
import { call } from "../support/http";
import { catchMailQueue } from "../support/mail-queue";
import { cookiesFrom, createPatron, formPost, withToken } from "../support/patrons";
import { insertLoan, insertReservation } from "../support/rows";

beforeAll(loadCatalog);
afterEach(() => vi.restoreAllMocks());

const DAY = 24 * 60 * 60 * 1000;

interface Row {
  kind: string;
  idempotencyKey: string;
  subject: string;
  body: string;
}
const mailOf = async (patronId: number) =>
  (
    await env.DB.prepare(
      "SELECT kind, idempotency_key AS idempotencyKey, subject, body FROM mail_outbox WHERE patron_id = ? ORDER BY id",
    )
      .bind(patronId)
      .all<Row>()
  ).results;

// Each test its own business dates, far apart, all opening days unless closed on purpose.
let year = 2040;
function dates() {
  year += 1;
  return { d: (mmdd: string) => `${year}-${mmdd}` };
}
const setDay = (date: string, open: boolean) =>
  env.DB.prepare("INSERT INTO calendar_days (date, open) VALUES (?, ?) ON CONFLICT (date) DO UPDATE SET open = excluded.open")
    .bind(date, open ? 1 : 0)
    .run();

/** The acceptance of `date` as its cron runs it, then the mail queue drained through the Worker. */
async function morning(date: string) {
  await setDay(date, true);
  const queue = catchMailQueue();
  const summary = await runJob(env, "acceptance", { date, now: Date.now() });
  await queue.drain();
  queue.restore();
  return summary;
}

async function patron(options: { contact?: "mail" | "none"; remind?: Array<"due" | "overdue" | "hold"> } = {}) {
  const p = await createPatron({ mustChange: false, contactMethod: options.contact ?? "mail" });
  for (const r of options.remind ?? []) await env.DB.prepare(`UPDATE patrons SET remind_${r} = 1 WHERE id = ?`).bind(p.id).run();
  return p;
}

let material = 0;
/** A new material with one copy, lent to the patron and due on `dueDate`. */
async function loanDue(patronId: number, dueDate: string): Promise<{ loanId: number; title: string }> {
  material += 1;
  const title = `お知らせ資料${material}`;
  const m = await env.DB.prepare(
    "INSERT INTO materials (title, type, title_sort, title_norm) VALUES (?, 'book', ?, ?) RETURNING id",
  )
    .bind(title, title, title)
    .first<{ id: number }>();
  const item = await env.DB.prepare(
    "INSERT INTO items (material_id, branch_code, barcode, status, loanable) VALUES (?, 'central', ?, 'on_loan', 1) RETURNING id",
  )
    .bind(m?.id, `DG${material}-${Date.now()}`)
    .first<{ id: number }>();
  const loanId = await insertLoan(patronId, item?.id as number, { loanedAt: Date.now() - 20 * DAY, dueDate });
  return { loanId, title };
}

describe("the morning's digest", () => {
  it("four acceptances for one patron arrive as one mail listing each (not four identical mails)", async () => {
    const { d } = dates();
    const p = await patron();
    const ids = [];
    for (const m of [301, 302, 303, 304]) ids.push(await insertReservation(p.id, m, "applied"));
    await morning(d("03-05"));
    const rows = await mailOf(p.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.kind).toBe("digest");
    // The run, the patron, and a hash of what it lists.
    expect(rows[0]?.idempotencyKey).toMatch(new RegExp(`^digest:${d("03-05")} 07:30:${p.id}:[0-9a-f]{16}$`));
    expect(rows[0]?.subject).toBe("【みなみ市立図書館】予約受付のお知らせ（4点）");
    const titles = await env.DB.prepare(
      "SELECT m.title FROM reservations r JOIN materials m ON m.id = r.material_id WHERE r.id IN (?, ?, ?, ?)",
    )
      .bind(...ids)
      .all<{ title: string }>();
    for (const t of titles.results) expect(rows[0]?.body).toContain(`・${t.title}（受取館：`);
    expect(rows[0]?.body).toContain("■予約を受け付けました（4点）");
    // Every request is answered, and a second morning run of the same date tells nothing more.
    const open = await env.DB.prepare(
      "SELECT count(*) AS n FROM mail_requests WHERE done_at IS NULL AND reservation_id IN (?, ?, ?, ?)",
    )
      .bind(...ids)
      .first<{ n: number }>();
    expect(open?.n).toBe(0);
    await morning(d("03-05"));
    expect(await mailOf(p.id)).toHaveLength(1);
  });

  it("acceptances, a refusal and a copy set aside before the run: one mail, each under its heading", async () => {
    const { d } = dates();
    const p = await patron();
    await insertReservation(p.id, 305, "applied");
    // With the 8 below and the hold, the first application is the 10th (accepted), the second over the limit.
    for (let k = 0; k < 8; k++) await insertReservation(p.id, 310 + k, "reserved");
    await insertReservation(p.id, 306, "applied", { appliedAt: Date.now() - 30_000 });
    const held = await insertReservation(p.id, 307, "on_hold", { holdUntil: addDays(d("03-05"), 7) });
    await env.DB.prepare("INSERT INTO mail_requests (key, kind, reservation_id, requested_at) VALUES (?, 'hold_ready', ?, ?)")
      .bind(`hold_ready:${held}:1`, held, Date.now())
      .run();
    await morning(d("03-05"));
    const rows = await mailOf(p.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.subject).toBe("【みなみ市立図書館】予約・貸出のお知らせ（3点）");
    const body = rows[0]?.body ?? "";
    expect(body).toContain("■ご用意ができました（受取館でお取り置きしています）（1点）");
    expect(body).toContain("■予約を受け付けました（1点）");
    expect(body).toContain("■予約をお受けできませんでした（1点）");
    expect(body.indexOf("■ご用意ができました")).toBeLessThan(body.indexOf("■予約を受け付けました"));
    expect(body).toContain("お受け取りの際は、市立図書館利用者カードをお持ちください。");
  });

  it("one event keeps its own mail and key; 連絡不要 gets none; titles left out when the patron asked", async () => {
    const { d } = dates();
    const single = await patron();
    const none = await patron({ contact: "none" });
    const hidden = await patron();
    await env.DB.prepare("UPDATE patrons SET mail_without_titles = 1 WHERE id = ?").bind(hidden.id).run();
    const r = await insertReservation(single.id, 320, "applied");
    await insertReservation(none.id, 321, "applied");
    await insertReservation(hidden.id, 322, "applied");
    await insertReservation(hidden.id, 323, "applied");
    await morning(d("03-05"));
    const [mail] = await mailOf(single.id);
    expect(mail).toMatchObject({ kind: "accepted", idempotencyKey: `accepted:${r}` });
    expect(mail?.subject).toBe("【みなみ市立図書館】予約受付のお知らせ");
    expect(await mailOf(none.id)).toEqual([]);
    const [digest] = await mailOf(hidden.id);
    const titles = await env.DB.prepare("SELECT title FROM materials WHERE id IN (322, 323)").all<{ title: string }>();
    for (const t of titles.results) {
      expect(digest?.body).not.toContain(t.title);
      expect(digest?.body).toContain(`・${[...t.title].slice(0, 2).join("")}…（1点）`);
    }
  });

  it("the digest answers a hold's request first: the hold's single mail asked next records nothing", async () => {
    const { d } = dates();
    const p = await patron();
    await insertReservation(p.id, 324, "applied");
    const held = await insertReservation(p.id, 325, "on_hold", { holdUntil: addDays(d("03-05"), 7) });
    const key = `hold_ready:${held}:2`;
    await env.DB.prepare("UPDATE reservations SET held_at = 2 WHERE id = ?").bind(held).run();
    await env.DB.prepare("INSERT INTO mail_requests (key, kind, reservation_id, requested_at) VALUES (?, 'hold_ready', ?, ?)")
      .bind(key, held, Date.now())
      .run();
    await morning(d("03-05"));
    // The digest answered the hold's request: the single mail asked for it next records nothing.
    expect(await mailForReservation(env.DB, env, "hold_ready", held, env.PUBLIC_BASE_URL)).toBe(false);
    const rows = await mailOf(p.id);
    expect(rows.map((r) => r.kind)).toEqual(["digest"]);
  });

  it("the single mail written between the digest's read and its write: the digest reads again and leaves it out", async () => {
    const { d } = dates();
    const q = await patron();
    await insertReservation(q.id, 326, "applied");
    await insertReservation(q.id, 343, "applied");
    const heldQ = await insertReservation(q.id, 327, "on_hold", { holdUntil: addDays(d("03-06"), 7) });
    await env.DB.prepare("UPDATE reservations SET held_at = 3 WHERE id = ?").bind(heldQ).run();
    await env.DB.prepare("INSERT INTO mail_requests (key, kind, reservation_id, requested_at) VALUES (?, 'hold_ready', ?, ?)")
      .bind(`hold_ready:${heldQ}:3`, heldQ, Date.now())
      .run();
    // The run decides the two applications; its digest message is held back here.
    await setDay(d("03-06"), true);
    const queue = catchMailQueue();
    await runJob(env, "acceptance", { date: d("03-06"), now: Date.now() });
    const [digest] = queue.sent.splice(0) as DigestMessage[];
    queue.restore();
    // A database whose first batch (the digest's read) is followed at once by the hold's single mail.
    let raced = false;
    const db = {
      prepare: (sql: string) => env.DB.prepare(sql),
      batch: async (statements: D1PreparedStatement[]) => {
        const results = await env.DB.batch(statements);
        if (!raced) {
          raced = true;
          expect(await mailForReservation(env.DB, env, "hold_ready", heldQ, env.PUBLIC_BASE_URL)).toBe(true);
        }
        return results;
      },
    } as unknown as D1Database;
    expect(await digestFor(db, env, q.id, { ...(digest as DigestMessage), patronIds: [q.id] })).toBe(true);
    const rows = await mailOf(q.id);
    expect(rows.map((r) => r.kind)).toEqual(["hold_ready", "digest"]);
    expect(rows[1]?.subject).toBe("【みなみ市立図書館】予約受付のお知らせ（2点）");
    expect(rows[1]?.body).not.toContain("ご用意ができました");
  });

  it("a second pass of the same run that finds something new mails it: nothing is marked sent unsent", async () => {
    const { d } = dates();
    const p = await patron();
    await insertReservation(p.id, 344, "applied");
    await insertReservation(p.id, 345, "applied");
    await morning(d("03-05"));
    expect(await mailOf(p.id)).toHaveLength(1);
    // Later that morning staff set two copies aside; then the same run is asked for again (its button).
    const holds: number[] = [];
    for (const [k, m] of [346, 347].entries()) {
      const id = await insertReservation(p.id, m, "on_hold", { holdUntil: addDays(d("03-05"), 7) });
      await env.DB.prepare("UPDATE reservations SET held_at = ? WHERE id = ?")
        .bind(10 + k, id)
        .run();
      await env.DB.prepare("INSERT INTO mail_requests (key, kind, reservation_id, requested_at) VALUES (?, 'hold_ready', ?, ?)")
        .bind(`hold_ready:${id}:${10 + k}`, id, Date.now())
        .run();
      holds.push(id);
    }
    const again = await morning(d("03-05"));
    expect(again).toMatchObject({ alreadyRun: true });
    const rows = await mailOf(p.id);
    expect(rows).toHaveLength(2);
    expect(rows[1]?.subject).toBe("【みなみ市立図書館】予約資料のご用意ができました（2点）");
    expect(rows[0]?.idempotencyKey).not.toBe(rows[1]?.idempotencyKey);
  });

  it("a redelivered slice records nothing twice; a crash before the queue send leaves the row for the requeue", async () => {
    const { d } = dates();
    const p = await patron();
    await insertReservation(p.id, 328, "applied");
    await insertReservation(p.id, 329, "applied");
    await setDay(d("03-05"), true);
    const queue = catchMailQueue();
    await runJob(env, "acceptance", { date: d("03-05"), now: Date.now() });
    const delivered = await queue.drain();
    queue.restore();
    const slice = delivered.find((m) => (m as DigestMessage).patronIds?.includes(p.id)) as DigestMessage;
    expect(await digestFor(env.DB, env, p.id, slice)).toBe(false);
    expect(await mailOf(p.id)).toHaveLength(1);

    // With a provider: the Worker dies at the queue send after the row was written; the row waits 'queued'.
    const q = await patron();
    await insertReservation(q.id, 330, "applied");
    await insertReservation(q.id, 331, "applied");
    await setDay(d("03-06"), true);
    const withProvider = { ...env, MAIL_PROVIDER_URL: "https://mail.test" } as unknown as Env;
    const caught = catchMailQueue();
    await runJob(withProvider, "acceptance", { date: d("03-06"), now: Date.now() });
    const [digest] = caught.sent.splice(0) as DigestMessage[];
    caught.restore();
    vi.spyOn(env.MAIL_QUEUE, "sendBatch").mockResolvedValue({} as Awaited<ReturnType<Queue["sendBatch"]>>);
    const sendSpy = vi.spyOn(env.MAIL_QUEUE, "send").mockRejectedValue(new Error("the Worker was stopped here"));
    const qSlice = { ...(digest as DigestMessage), patronIds: [q.id] };
    expect(await digestFor(env.DB, withProvider, q.id, qSlice)).toBe(true);
    expect(sendSpy).toHaveBeenCalledOnce();
    const row = await env.DB.prepare("SELECT id, status FROM mail_outbox WHERE patron_id = ?")
      .bind(q.id)
      .first<{ id: number; status: string }>();
    expect(row?.status).toBe("queued");
    // The slice's redelivery records nothing more, and puts the waiting row on the queue again.
    sendSpy.mockResolvedValue({} as Awaited<ReturnType<Queue["send"]>>);
    expect(await digestFor(env.DB, withProvider, q.id, qSlice)).toBe(false);
    expect(sendSpy).toHaveBeenLastCalledWith({ outboxId: row?.id });
    expect(await mailOf(q.id)).toHaveLength(1);
  });
});

describe("reminders by mail (opt-in, opening-day mornings)", () => {
  it("返却期限のお知らせ: DUE_REMINDER_DAYS before the due date, once per due date, only to who chose it", async () => {
    const { d } = dates();
    const wants = await patron({ remind: ["due"] });
    const not = await patron();
    const a = await loanDue(wants.id, d("04-12"));
    await loanDue(not.id, d("04-12"));
    await loanDue(wants.id, d("04-20")); // not yet
    await morning(d("04-09")); // 3 days before: nothing yet (DUE_REMINDER_DAYS = 2)
    expect(await mailOf(wants.id)).toEqual([]);
    await morning(d("04-10"));
    const rows = await mailOf(wants.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: "due_soon", idempotencyKey: `due_soon:${a.loanId}:${d("04-12")}` });
    expect(rows[0]?.subject).toBe("【みなみ市立図書館】返却期限のお知らせ（1点）");
    expect(rows[0]?.body).toContain(`・${a.title}（返却期限：`);
    expect(rows[0]?.body).toContain("/account/loans");
    expect(await mailOf(not.id)).toEqual([]);
    await morning(d("04-11"));
    expect(await mailOf(wants.id)).toHaveLength(1);
    // Renewed to a new due date: reminded again before that one.
    await env.DB.prepare("UPDATE loans SET due_date = ? WHERE id = ?").bind(d("04-26"), a.loanId).run();
    await morning(d("04-24"));
    expect((await mailOf(wants.id)).map((r) => r.idempotencyKey)).toContain(`due_soon:${a.loanId}:${d("04-26")}`);
  });

  it("never on a closed day: the reminder waits for the next opening-day morning", async () => {
    const { d } = dates();
    const p = await patron({ remind: ["due"] });
    await loanDue(p.id, d("05-07"));
    await setDay(d("05-05"), false);
    const skipped = await runJob(env, "acceptance", { date: d("05-05"), now: Date.now() });
    expect(skipped).toMatchObject({ skipped: "closed" });
    expect(await mailOf(p.id)).toEqual([]);
    await morning(d("05-06"));
    expect((await mailOf(p.id)).map((r) => r.kind)).toEqual(["due_soon"]);
  });

  it("延滞のお知らせ: once, then weekly, and no more once returned", async () => {
    const { d } = dates();
    const p = await patron({ remind: ["overdue"] });
    const late = await loanDue(p.id, d("06-01"));
    await morning(d("06-02"));
    const first = await mailOf(p.id);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ kind: "overdue" });
    expect(first[0]?.subject).toBe("【みなみ市立図書館】返却期限を過ぎた資料があります（1点）");
    await morning(d("06-03"));
    await morning(d("06-08"));
    expect(await mailOf(p.id)).toHaveLength(1);
    await morning(d("06-09"));
    expect(await mailOf(p.id)).toHaveLength(2);
    await call(`/api/v1/admin/loans/${late.loanId}/return`, {
      method: "POST",
      headers: { Authorization: "Bearer test-admin-token" },
    });
    await morning(d("06-16"));
    expect(await mailOf(p.id)).toHaveLength(2);
  });

  it("取置期限が近いお知らせ: on the last opening day before the deadline, once", async () => {
    const { d } = dates();
    const p = await patron({ remind: ["hold"] });
    const other = await patron();
    // Deadline 07-08; 07-07 is closed, so 07-06 is the morning before it.
    for (const [day, open] of [
      ["07-05", true],
      ["07-06", true],
      ["07-07", false],
      ["07-08", true],
    ] as const)
      await setDay(d(day), open);
    const held = await insertReservation(p.id, 340, "on_hold", { holdUntil: d("07-08") });
    await insertReservation(other.id, 341, "on_hold", { holdUntil: d("07-08") });
    await morning(d("07-05"));
    expect(await mailOf(p.id)).toEqual([]);
    await morning(d("07-06"));
    const rows = await mailOf(p.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: "hold_expiring", idempotencyKey: `hold_expiring:${held}:${d("07-08")}` });
    expect(rows[0]?.body).toContain("取置期限");
    expect(await mailOf(other.id)).toEqual([]);
    await morning(d("07-06"));
    expect(await mailOf(p.id)).toHaveLength(1);
  });

  it("取置期限が近いお知らせ missed the morning before (a lost run): it comes on the deadline's own morning", async () => {
    const { d } = dates();
    const p = await patron({ remind: ["hold"] });
    for (const day of ["09-01", "09-02"]) await setDay(d(day), true);
    const held = await insertReservation(p.id, 348, "on_hold", { holdUntil: d("09-02") });
    await morning(d("09-02"));
    expect((await mailOf(p.id)).map((r) => r.idempotencyKey)).toEqual([`hold_expiring:${held}:${d("09-02")}`]);
    // Extended online meanwhile: a new deadline is reminded of again before it.
    await env.DB.prepare("UPDATE reservations SET hold_until = ? WHERE id = ?").bind(d("09-04"), held).run();
    await setDay(d("09-03"), true);
    await setDay(d("09-04"), true);
    await morning(d("09-03"));
    expect(await mailOf(p.id)).toHaveLength(2);
  });

  it("a reminder and an acceptance on the same morning are one mail; 連絡不要 gets no reminder", async () => {
    const { d } = dates();
    const p = await patron({ remind: ["due", "overdue"] });
    const silent = await patron({ contact: "none", remind: ["due"] });
    await loanDue(p.id, d("08-05"));
    await loanDue(p.id, d("08-01"));
    await loanDue(silent.id, d("08-05"));
    await insertReservation(p.id, 342, "applied");
    await morning(d("08-04"));
    const rows = await mailOf(p.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.kind).toBe("digest");
    expect(rows[0]?.body).toContain("■返却期限を過ぎています。お早めにご返却ください（1点）");
    expect(rows[0]?.body).toContain("■返却期限が近づいています（1点）");
    expect(rows[0]?.body).toContain("■予約を受け付けました（1点）");
    expect(await mailOf(silent.id)).toEqual([]);
  });

  it("are chosen on 個人情報変更 and through PUT /me/preferences", async () => {
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    const login = await call("/api/v1/session", {
      method: "POST",
      headers: { "content-type": "application/json", "CF-Connecting-IP": "192.0.2.77" },
      body: JSON.stringify({ cardNumber: p.cardNumber, password: p.password }),
    });
    const { token } = (await login.json()) as { token: string };
    const me = async () => (await (await call("/api/v1/me", withToken(token, "GET"))).json()) as Record<string, unknown>;
    expect(await me()).toMatchObject({ remindDue: false, remindOverdue: false, remindHold: false });
    const put = await call("/api/v1/me/preferences", withToken(token, "PUT", { remindDue: true, remindHold: true }));
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ remindDue: true, remindOverdue: false, remindHold: true });
    const bad = await call("/api/v1/me/preferences", withToken(token, "PUT", { remindOverdue: "yes" }));
    expect(bad.status).toBe(400);
    expect(await me()).toMatchObject({ remindDue: true, remindOverdue: false, remindHold: true });
    const form = await call("/login", {
      ...formPost({ cardNumber: p.cardNumber, password: p.password }),
      headers: { ...(formPost({}).headers as Record<string, string>), "CF-Connecting-IP": "192.0.2.78" },
    });
    const page = await (await call("/account/profile", { headers: { Cookie: cookiesFrom(form) } })).text();
    expect(page).toContain("返却期限のお知らせ（返却期限の2日前から）");
    expect(page).toMatch(/id="remindDue"[^>]*checked/);
    expect(page).not.toMatch(/id="remindOverdue"[^>]*checked/);
  });
});
