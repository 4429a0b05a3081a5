// The library's side through the Worker: the staff API behind the token, counter reservations, the morning
// acceptance rule by rule, holds, loans, and the nightly refresh.
import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { runAcceptance } from "../../src/jobs/acceptance";
import { runJob } from "../../src/jobs/run";
import type { DigestMessage } from "../../src/mail/messages";
import { FIXTURES, loadCatalog } from "../support/catalog";
import { call } from "../support/http";
import { catchMailQueue } from "../support/mail-queue";
import { apiLogin, createPatron, withToken } from "../support/patrons";
import { insertReservation, itemOf } from "../support/rows";

beforeAll(loadCatalog);

const ADMIN = { Authorization: "Bearer test-admin-token" };
const admin = (path: string, method = "GET", body?: unknown) =>
  call(`/api/v1/admin${path}`, {
    method,
    headers: { ...ADMIN, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

const reservationRow = (id: number) =>
  env.DB.prepare("SELECT status, accepted_at AS acceptedAt, reason_code AS reasonCode FROM reservations WHERE id = ?")
    .bind(id)
    .first<{ status: string; acceptedAt: number | null; reasonCode: string | null }>();
const statusOf = async (id: number) => (await reservationRow(id))?.status;
let runDate = 0;
/** Each acceptance test runs as its own business date (a date runs once). */
const nextDate = () => `2030-01-${String(++runDate).padStart(2, "0")}`;
const accept = (date = nextDate()) => runAcceptance(env.DB, { businessDate: date, now: Date.now(), limit: 10 });

describe("staff access", () => {
  it.each([
    ["no token", {}],
    ["a wrong token", { Authorization: "Bearer not-the-token" }],
    ["a patron's token", { Authorization: "Bearer x" }],
  ])("answers 401 with %s and changes nothing", async (_name, headers) => {
    const before = await env.DB.prepare("SELECT count(*) AS n FROM patrons").first<{ n: number }>();
    const res = await call("/api/v1/admin/patrons", {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({ name: "侵入 者", email: "x@example.jp" }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthenticated");
    const after = await env.DB.prepare("SELECT count(*) AS n FROM patrons").first<{ n: number }>();
    expect(after?.n).toBe(before?.n);
  });

  it("answers 401 for admin paths that do not exist, so nothing is revealed", async () => {
    expect((await call("/api/v1/admin/nothing-here")).status).toBe(401);
  });

  it("registers a patron's web use with a temporary password shown once, which must be changed at first login", async () => {
    const res = await admin("/patrons", "POST", { name: "窓口 登録", email: "kari@example.jp" });
    expect(res.status).toBe(201);
    const { cardNumber, temporaryPassword } = (await res.json()) as { cardNumber: string; temporaryPassword: string };
    expect(temporaryPassword).toMatch(/^[A-Za-z0-9]{8}$/);
    const login = await apiLogin({ cardNumber, password: temporaryPassword }, "192.0.2.50");
    expect(login.body.mustChangeCredentials).toBe(true);
    const log = await env.DB.prepare(
      "SELECT actor, action, detail FROM audit_log WHERE action = 'patron.register_web' ORDER BY id DESC",
    ).first<{
      actor: string;
      action: string;
      detail: string | null;
    }>();
    expect(log?.actor).toBe("staff:api");
    expect(JSON.stringify(log)).not.toContain(temporaryPassword);
  });

  it("gives web use to a card holder who has none yet, with a new temporary password", async () => {
    const p = await createPatron({ webEnabled: false });
    const res = await admin("/patrons", "POST", { name: "既存 利用者", email: "kizon@example.jp", cardNumber: p.cardNumber });
    expect(res.status).toBe(201);
    const { temporaryPassword } = (await res.json()) as { temporaryPassword: string };
    expect((await apiLogin({ cardNumber: p.cardNumber, password: temporaryPassword }, "192.0.2.54")).res.status).toBe(200);
    const again = await admin("/patrons", "POST", { name: "既存 利用者", email: "kizon@example.jp", cardNumber: p.cardNumber });
    expect(again.status).toBe(409);
  });

  it("resets a forgotten password: the old one stops working and every session ends", async () => {
    const p = await createPatron({ mustChange: false, password: "Moku3141" });
    const { body } = await apiLogin(p, "192.0.2.51");
    const res = await admin(`/patrons/${p.cardNumber}/reset-password`, "POST");
    const { temporaryPassword } = (await res.json()) as { temporaryPassword: string };
    expect((await call("/api/v1/me", withToken(body.token as string, "GET"))).status).toBe(401);
    expect((await apiLogin(p, "192.0.2.52")).res.status).toBe(401);
    expect(
      (await apiLogin({ cardNumber: p.cardNumber, password: temporaryPassword }, "192.0.2.53")).body.mustChangeCredentials,
    ).toBe(true);
  });

  it("adds a material that search finds at once, and a copy of it", async () => {
    const res = await admin("/materials", "POST", {
      title: "新しい図書館の本",
      titleKana: "アタラシイ トショカン ノ ホン",
      type: "book",
      year: 2026,
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: number };
    const item = await admin("/items", "POST", { materialId: id, branch: "central", loanable: true });
    expect(item.status).toBe(201);
    const found = (await (await call(`/api/v1/materials?q=${encodeURIComponent("としょかん")}`)).json()) as {
      items: Array<{ id: number; reservable: boolean }>;
    };
    expect(found.items.find((m) => m.id === id)?.reservable).toBe(true);
    await admin(`/materials/${id}`, "PATCH", { title: "改題した本" });
    const renamed = (await (await call(`/api/v1/materials?q=${encodeURIComponent("改題")}`)).json()) as {
      items: Array<{ id: number }>;
    };
    expect(renamed.items.map((m) => m.id)).toContain(id);
  });
});

describe("counter reservations", () => {
  it("are 予約中 at once, go through the patron's limit, and refuse duplicates", async () => {
    const p = await createPatron({ mustChange: false });
    for (let m = 100; m < 109; m++) await insertReservation(p.id, m, "reserved");
    const ok = await admin("/reservations", "POST", { cardNumber: p.cardNumber, materialId: 120, pickupBranch: "kita" });
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as { status: string }).status).toBe("reserved");
    const dup = await admin("/reservations", "POST", { cardNumber: p.cardNumber, materialId: 120, pickupBranch: "kita" });
    expect(dup.status).toBe(409);
    const over = await admin("/reservations", "POST", { cardNumber: p.cardNumber, materialId: 121, pickupBranch: "kita" });
    expect(over.status).toBe(409);
    expect(((await over.json()) as { error: { code: string; remaining: number } }).error).toMatchObject({
      code: "quota_exceeded",
      remaining: 0,
    });
  });
});

describe("the morning acceptance", () => {
  it("accepts an application that still holds: 予約中, queued by acceptance time", async () => {
    const p = await createPatron({ mustChange: false });
    const id = await insertReservation(p.id, 130, "applied");
    const summary = await accept();
    expect(summary.accepted).toBeGreaterThanOrEqual(1);
    expect(await statusOf(id)).toBe("reserved");
    expect((await reservationRow(id))?.acceptedAt).not.toBeNull();
  });

  it("puts a counter reservation made before the acceptance ahead of an earlier web application", async () => {
    const web = await createPatron({ mustChange: false });
    const counter = await createPatron({ mustChange: false });
    const webId = await insertReservation(web.id, 131, "applied", { appliedAt: Date.now() - 3_600_000 });
    const counterRes = await admin("/reservations", "POST", {
      cardNumber: counter.cardNumber,
      materialId: 131,
      pickupBranch: "central",
    });
    const counterId = ((await counterRes.json()) as { id: number }).id;
    await accept();
    const { body } = await apiLogin(web, "192.0.2.60");
    const mine = (await (await call("/api/v1/me/reservations", withToken(body.token as string, "GET"))).json()) as {
      items: Array<{ id: number; queuePosition: number }>;
    };
    expect(mine.items.find((r) => r.id === webId)?.queuePosition).toBe(2);
    expect((await reservationRow(counterId))?.acceptedAt ?? 0).toBeLessThan((await reservationRow(webId))?.acceptedAt ?? 0);
  });

  it.each([
    ["web use was stopped", { webEnabled: false }, "web_use_stopped"],
    ["the card expired", { cardValidUntil: "2020-01-01" }, "card_expired"],
  ])("refuses when %s, with the reason code", async (_name, patch, reason) => {
    const p = await createPatron({ mustChange: false });
    const id = await insertReservation(p.id, 132, "applied");
    await admin(`/patrons/${p.cardNumber}`, "PATCH", patch);
    await accept();
    expect(await statusOf(id)).toBe("rejected");
    expect((await reservationRow(id))?.reasonCode).toBe(reason);
  });

  it("refuses when the material is no longer reservable", async () => {
    const p = await createPatron({ mustChange: false });
    const id = await insertReservation(p.id, FIXTURES.backIssue.id, "applied");
    await admin(`/items/${await itemOf(FIXTURES.backIssue.id)}`, "PATCH", { status: "missing" });
    await accept();
    expect(await statusOf(id)).toBe("rejected");
    expect((await reservationRow(id))?.reasonCode).toBe("no_loanable_item");
  });

  it("refuses what would pass the limit, in order of application time", async () => {
    const p = await createPatron({ mustChange: false });
    for (let m = 140; m < 149; m++) await insertReservation(p.id, m, "reserved");
    const first = await insertReservation(p.id, 150, "applied", { appliedAt: Date.now() - 2000 });
    const second = await insertReservation(p.id, 151, "applied", { appliedAt: Date.now() - 1000 });
    await accept();
    expect(await statusOf(first)).toBe("reserved");
    expect(await statusOf(second)).toBe("rejected");
    expect((await reservationRow(second))?.reasonCode).toBe("over_limit");
  });

  it("turns 取消申請中 into 予約取消済み, but keeps お取り置き when the copy was already set aside", async () => {
    const p = await createPatron({ mustChange: false });
    const cancelled = await insertReservation(p.id, 160, "cancel_requested");
    const held = await insertReservation(p.id, 161, "on_hold", { holdUntil: "2030-12-31" });
    await env.DB.prepare("UPDATE reservations SET cancel_requested_at = ? WHERE id = ?").bind(Date.now(), held).run();
    const summary = await accept();
    expect(await statusOf(cancelled)).toBe("cancelled");
    expect(await statusOf(held)).toBe("on_hold");
    expect(summary.cancellationsRefused).toBeGreaterThanOrEqual(1);
  });

  it("changes nothing when run twice for the same day", async () => {
    const p = await createPatron({ mustChange: false });
    const date = nextDate();
    const first = await runAcceptance(env.DB, { businessDate: date, now: Date.now(), limit: 10 });
    const late = await insertReservation(p.id, 170, "applied");
    const again = await runAcceptance(env.DB, { businessDate: date, now: Date.now(), limit: 10 });
    expect(again.alreadyRun).toBe(true);
    expect(again.accepted).toBe(first.accepted);
    expect(await statusOf(late)).toBe("applied");
  });

  it("does nothing on a closed day (the job endpoint as of 2026-11-23, a holiday)", async () => {
    await admin("/calendar/2026-11-23", "PUT", { open: false });
    const res = await admin("/jobs/acceptance", "POST", { date: "2026-11-23" });
    expect(await res.json()).toEqual({
      businessDate: "2026-11-23",
      skipped: "closed",
      accepted: 0,
      rejected: 0,
      cancelled: 0,
      cancellationsRefused: 0,
    });
  });

  it("works through 10,000 pending applications in chunks", async () => {
    const now = Date.now();
    const patrons: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const r = await env.DB.prepare(
        "INSERT INTO patrons (card_number, name, web_enabled, must_change_credentials) VALUES (?, ?, 1, 0) RETURNING id",
      )
        .bind(`88${String(i).padStart(8, "0")}`, `大量 ${i}`)
        .first<{ id: number }>();
      patrons.push(r?.id as number);
    }
    const values: string[] = [];
    for (const patronId of patrons)
      for (let m = 1; m <= 10; m++) values.push(`(${patronId}, ${200 + m}, 'central', 'applied', 'web', ${now - 5000})`);
    for (let i = 0; i < values.length; i += 500) {
      await env.DB.prepare(
        `INSERT INTO reservations (patron_id, material_id, pickup_branch, status, source, applied_at) VALUES ${values.slice(i, i + 500).join(",")}`,
      ).run();
    }
    const summary = await runAcceptance(env.DB, { businessDate: nextDate(), now, limit: 10 });
    expect(summary.accepted + summary.rejected).toBeGreaterThanOrEqual(10_000);
    const left = await env.DB.prepare("SELECT count(*) AS n FROM reservations WHERE status = 'applied' AND applied_at <= ?")
      .bind(now)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
    // Queue order follows application order across every chunk of the run (ties by id).
    const queue = await env.DB.prepare(
      "SELECT id, accepted_at AS a FROM reservations WHERE material_id = 201 AND status = 'reserved' ORDER BY a",
    ).all<{ id: number; a: number }>();
    const ids = queue.results.map((r) => r.id);
    expect(ids.length).toBeGreaterThan(900);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
  }, 120_000);
});

describe("holds, loans and the nightly refresh", () => {
  it("sets a copy aside for a 予約中 reservation, with a deadline in opening days, and the patron sees お取り置き", async () => {
    const p = await createPatron({ mustChange: false, password: "Kasa5813" });
    const id = await insertReservation(p.id, 180, "reserved");
    const res = await admin(`/reservations/${id}/hold`, "POST", { itemId: await itemOf(180) });
    expect(res.status).toBe(200);
    const { holdUntil } = (await res.json()) as { holdUntil: string };
    expect(holdUntil).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const { body } = await apiLogin(p, "192.0.2.70");
    const mine = (await (await call("/api/v1/me/reservations", withToken(body.token as string, "GET"))).json()) as {
      items: Array<{ id: number; statusLabel: string; holdUntil: string; cancellable: boolean }>;
    };
    expect(mine.items.find((r) => r.id === id)).toMatchObject({ statusLabel: "お取り置き", holdUntil, cancellable: false });
  });

  it("refuses a hold on a copy of another material or one already lent", async () => {
    const p = await createPatron({ mustChange: false });
    const id = await insertReservation(p.id, 181, "reserved");
    expect((await admin(`/reservations/${id}/hold`, "POST", { itemId: await itemOf(182) })).status).toBe(409);
    expect(await statusOf(id)).toBe("reserved");
  });

  it("lending the copy set aside fulfils the reservation; returning frees the copy", async () => {
    const p = await createPatron({ mustChange: false });
    const id = await insertReservation(p.id, 183, "reserved");
    const itemId = await itemOf(183);
    await admin(`/reservations/${id}/hold`, "POST", { itemId });
    const other = await createPatron({ mustChange: false });
    expect((await admin("/loans", "POST", { cardNumber: other.cardNumber, itemId })).status).toBe(409);
    const loan = await admin("/loans", "POST", { cardNumber: p.cardNumber, itemId });
    expect(loan.status).toBe(201);
    expect(await statusOf(id)).toBe("fulfilled");
    const { id: loanId } = (await loan.json()) as { id: number };
    expect((await admin(`/loans/${loanId}/return`, "POST")).status).toBe(200);
    const item = await env.DB.prepare("SELECT status FROM items WHERE id = ?").bind(itemId).first<{ status: string }>();
    expect(item?.status).toBe("available");
  });

  it("the nightly refresh expires holds past their deadline, frees the copy, and forgets who read what", async () => {
    const p = await createPatron({ mustChange: false });
    const id = await insertReservation(p.id, 184, "reserved");
    const itemId = await itemOf(184);
    await admin(`/reservations/${id}/hold`, "POST", { itemId });
    await env.DB.prepare("UPDATE reservations SET hold_until = '2026-01-01' WHERE id = ?").bind(id).run();
    const loanRes = await admin("/loans", "POST", { cardNumber: p.cardNumber, itemId: await itemOf(185) });
    const { id: loanId } = (await loanRes.json()) as { id: number };
    await admin(`/loans/${loanId}/return`, "POST");
    const old = await insertReservation(p.id, 186, "cancelled");
    await env.DB.prepare("UPDATE reservations SET closed_at = ? WHERE id = ?")
      .bind(Date.now() - 31 * 86_400_000, old)
      .run();

    const res = await admin("/jobs/nightly", "POST", { date: "2026-11-20" });
    const summary = (await res.json()) as { holdsExpired: number; loansUnlinked: number; reservationsAnonymised: number };
    expect(summary.holdsExpired).toBeGreaterThanOrEqual(1);
    expect(await statusOf(id)).toBe("expired");
    expect((await env.DB.prepare("SELECT status FROM items WHERE id = ?").bind(itemId).first<{ status: string }>())?.status).toBe(
      "available",
    );
    expect(
      (await env.DB.prepare("SELECT patron_id AS p FROM loans WHERE id = ?").bind(loanId).first<{ p: number | null }>())?.p,
    ).toBeNull();
    expect(
      (await env.DB.prepare("SELECT patron_id AS p FROM reservations WHERE id = ?").bind(old).first<{ p: number | null }>())?.p,
    ).toBeNull();
    const again = (await (await admin("/jobs/nightly", "POST", { date: "2026-11-20" })).json()) as { alreadyRun: boolean };
    expect(again.alreadyRun).toBe(true);
    // Patron pages say when the last nightly refresh ran.
    const reader = await createPatron({ mustChange: false, password: "Tane9173" });
    const { body } = await apiLogin(reader, "192.0.2.80");
    const mine = (await (await call("/api/v1/me/reservations", withToken(body.token as string, "GET"))).json()) as {
      lastRefreshedAt: string;
    };
    expect(mine.lastRefreshedAt).toMatch(/\+09:00$/);
  });
});

describe("the cron triggers", () => {
  it("runs the acceptance as of the Tokyo date of a UTC schedule: 22:30 UTC on 11-30 is the morning of 12-01", async () => {
    await worker.scheduled(
      createScheduledController({ cron: "30 22 * * *", scheduledTime: Date.UTC(2026, 10, 30, 22, 30) }),
      env,
    );
    const run = await env.DB.prepare(
      "SELECT summary FROM job_runs WHERE job = 'acceptance' AND business_date = '2026-12-01'",
    ).first();
    expect(run).not.toBeNull();
  });

  it("does nothing on a closed day: 22:30 UTC on 11-29 is Monday 11-30 in Tokyo, a closed day", async () => {
    await worker.scheduled(
      createScheduledController({ cron: "30 22 * * *", scheduledTime: Date.UTC(2026, 10, 29, 22, 30) }),
      env,
    );
    const run = await env.DB.prepare("SELECT 1 FROM job_runs WHERE job = 'acceptance' AND business_date = '2026-11-30'").first();
    expect(run).toBeNull();
  });

  it("runs the nightly refresh at 17:00 UTC as of the Tokyo date (02:00 the next day)", async () => {
    await worker.scheduled(createScheduledController({ cron: "0 17 * * *", scheduledTime: Date.UTC(2026, 11, 1, 17, 0) }), env);
    const run = await env.DB.prepare("SELECT 1 FROM job_runs WHERE job = 'nightly' AND business_date = '2026-12-02'").first();
    expect(run).not.toBeNull();
  });
});

describe("mail from the acceptance", () => {
  it("asks the mail queue once for the run's digest: one mail per patron, recorded only for contact メール", async () => {
    const byMail = await createPatron({ mustChange: false, contactMethod: "mail" });
    const noMail = await createPatron({ mustChange: false, contactMethod: "none" });
    const a = await insertReservation(byMail.id, 190, "applied");
    const b = await insertReservation(noMail.id, 191, "applied");
    const queue = catchMailQueue();
    await env.DB.prepare("INSERT INTO calendar_days (date, open) VALUES ('2030-03-02', 1) ON CONFLICT DO NOTHING").run();
    await runJob(env, "acceptance", { date: "2030-03-02", now: Date.now() });
    expect(queue.sent).toEqual([
      {
        type: "digest",
        run: "2030-03-02 07:30",
        businessDate: "2030-03-02",
        baseUrl: env.PUBLIC_BASE_URL,
        since: expect.any(Number),
      },
    ]);
    const delivered = await queue.drain();
    queue.restore();
    const slices = delivered.filter((m): m is DigestMessage => (m as DigestMessage).patronIds !== undefined);
    expect(slices.flatMap((m) => m.patronIds)).toEqual(expect.arrayContaining([byMail.id, noMail.id]));
    const rows = await env.DB.prepare(
      "SELECT patron_id AS patronId, kind, status, body FROM mail_outbox WHERE patron_id IN (?, ?)",
    )
      .bind(byMail.id, noMail.id)
      .all<{ patronId: number; kind: string; status: string; body: string }>();
    expect(rows.results).toHaveLength(1);
    expect(rows.results[0]).toMatchObject({ patronId: byMail.id, kind: "accepted", status: "recorded" });
    expect(rows.results[0]?.body).not.toContain(byMail.password);
    // Both requests are answered (the 連絡不要 one without a mail).
    const open = await env.DB.prepare(
      "SELECT count(*) AS n FROM mail_requests WHERE reservation_id IN (?, ?) AND done_at IS NULL",
    )
      .bind(a, b)
      .first<{ n: number }>();
    expect(open?.n).toBe(0);
    // The digest tells every patron this file's earlier tests left with unanswered requests: give it time.
  }, 30_000);

  it("loses no mail when the queue refuses: the requests wait, and the nightly refresh records them", async () => {
    const p = await createPatron({ mustChange: false, contactMethod: "mail" });
    const id = await insertReservation(p.id, 192, "applied");
    const spy = vi.spyOn(env.MAIL_QUEUE, "sendBatch").mockRejectedValue(new Error("queue unavailable"));
    await env.DB.prepare("INSERT INTO calendar_days (date, open) VALUES ('2026-11-16', 1) ON CONFLICT DO NOTHING").run();
    await runJob(env, "acceptance", { date: "2026-11-16", now: Date.now() });
    expect(await statusOf(id)).toBe("reserved");
    const pending = await env.DB.prepare("SELECT kind FROM mail_requests WHERE reservation_id = ? AND done_at IS NULL")
      .bind(id)
      .first<{ kind: string }>();
    expect(pending?.kind).toBe("accepted");
    // At night (the request is older than the reconciliation's wait), the queue still down: written directly.
    await runJob(env, "nightly", { date: "2026-11-17", now: Date.now() + 11 * 60_000 });
    spy.mockRestore();
    const row = await env.DB.prepare("SELECT kind FROM mail_outbox WHERE patron_id = ?").bind(p.id).first<{ kind: string }>();
    expect(row?.kind).toBe("accepted");
  });
});
