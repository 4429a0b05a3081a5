// A Worker can die between any two awaits. These tests stop the acceptance, a hold and the mail between
// the steps that matter and check what the service guarantees afterwards: every application decided once,
// queue order equal to application order, the day counted whole, and no decided reservation's mail lost.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { tokyoDate } from "../../src/domain/calendar";
import { runAcceptance } from "../../src/jobs/acceptance";
import { runJob } from "../../src/jobs/run";
import { loadCatalog } from "../support/catalog";
import { call } from "../support/http";
import { createPatron } from "../support/patrons";
import { insertReservation, itemOf } from "../support/rows";

beforeAll(loadCatalog);

const died = new Error("the Worker was stopped here");
const HOUR = 60 * 60 * 1000;

/** `n` applications by `patrons` patrons (round robin), one second apart in application order. */
async function applications(n: number, patrons: number, firstMaterial: number, start: number) {
  const people = [];
  for (let k = 0; k < patrons; k++) people.push(await createPatron({ mustChange: false, contactMethod: "mail" }));
  const ids: number[] = [];
  for (let k = 0; k < n; k++) {
    const p = people[k % patrons] as { id: number };
    ids.push(await insertReservation(p.id, firstMaterial + k, "applied", { appliedAt: start + k * 1000 }));
  }
  return { ids, people };
}

const rowsOf = async (ids: number[]) =>
  (
    await env.DB.prepare(
      `SELECT id, status, accepted_at AS acceptedAt, applied_at AS appliedAt FROM reservations
       WHERE id IN (SELECT value FROM json_each(?)) ORDER BY applied_at`,
    )
      .bind(JSON.stringify(ids))
      .all<{ id: number; status: string; acceptedAt: number | null; appliedAt: number }>()
  ).results;

const outboxKinds = async (ids: number[]) =>
  (
    await env.DB.prepare(
      "SELECT idempotency_key AS k FROM mail_outbox WHERE idempotency_key IN (SELECT 'accepted:' || value FROM json_each(?1) UNION SELECT 'rejected:' || value FROM json_each(?1))",
    )
      .bind(JSON.stringify(ids))
      .all<{ k: string }>()
  ).results.map((r) => r.k);

describe("the morning acceptance stopped midway", () => {
  it("resumed, keeps queue order equal to application order and counts the whole day", async () => {
    const start = Date.now() - 10 * 60_000;
    const { ids } = await applications(12, 3, 200, start);
    const date = "2031-01-06";
    let chunks = 0;
    // Stopped right after the first chunk's batch was written (before anything else happened).
    await expect(
      runAcceptance(env.DB, {
        businessDate: date,
        now: Date.now(),
        limit: 10,
        chunk: 5,
        onDecided: async () => {
          chunks += 1;
          throw died;
        },
      }),
    ).rejects.toBe(died);
    expect(chunks).toBe(1);
    expect((await rowsOf(ids)).filter((r) => r.status !== "applied")).toHaveLength(5);

    const summary = await runAcceptance(env.DB, { businessDate: date, now: Date.now() + 60_000, limit: 10, chunk: 5 });
    const rows = await rowsOf(ids);
    expect(rows.every((r) => r.status === "reserved")).toBe(true);
    const times = rows.map((r) => r.acceptedAt as number);
    // Application order is queue order: strictly increasing acceptance times, no two alike.
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(times).size).toBe(times.length);
    expect(summary).toMatchObject({ accepted: 12, rejected: 0 });
  });

  it("a rerun after the stop decides nothing twice: over-limit refusals stay exact", async () => {
    const start = Date.now() - 10 * 60_000;
    const { ids } = await applications(13, 1, 230, start);
    const date = "2031-01-07";
    await expect(
      runAcceptance(env.DB, {
        businessDate: date,
        now: Date.now(),
        limit: 10,
        chunk: 4,
        onDecided: async () => {
          throw died;
        },
      }),
    ).rejects.toBe(died);
    const summary = await runAcceptance(env.DB, { businessDate: date, now: Date.now(), limit: 10, chunk: 4 });
    const rows = await rowsOf(ids);
    expect(rows.slice(0, 10).every((r) => r.status === "reserved")).toBe(true);
    expect(rows.slice(10).every((r) => r.status === "rejected")).toBe(true);
    expect(summary).toMatchObject({ accepted: 10, rejected: 3 });
  });
});

describe("a decided reservation's mail is never lost", () => {
  it("stopped after the decisions, before the mail queue was asked: the nightly refresh records every mail", async () => {
    const { ids } = await applications(6, 2, 250, Date.now() - 4 * HOUR);
    const now = Date.now() - 3 * HOUR;
    await expect(
      runAcceptance(env.DB, {
        businessDate: "2031-01-08",
        now,
        limit: 10,
        onDecided: async () => {
          throw died;
        },
      }),
    ).rejects.toBe(died);
    expect(await outboxKinds(ids)).toHaveLength(0);
    const pending = await env.DB.prepare(
      "SELECT count(*) AS n FROM mail_requests WHERE done_at IS NULL AND reservation_id IN (SELECT value FROM json_each(?))",
    )
      .bind(JSON.stringify(ids))
      .first<{ n: number }>();
    expect(pending?.n).toBe(6);

    // The queue is down at night too: the requests are then recorded directly, none lost.
    const spy = vi.spyOn(env.MAIL_QUEUE, "sendBatch").mockRejectedValue(new Error("queue unavailable"));
    await runJob(env, "nightly", { date: "2031-01-09", now: Date.now() });
    spy.mockRestore();
    expect((await outboxKinds(ids)).sort()).toEqual(ids.map((id) => `accepted:${id}`).sort());
    // And a second night asks for nothing again.
    const again = await runJob(env, "nightly", { date: "2031-01-10", now: Date.now() });
    expect(again.mailRequestsResent).toBe(0);
  });

  it("stopped after the consumer recorded the mail but before it marked the request answered: asked again, recorded once", async () => {
    const { ids } = await applications(2, 1, 260, Date.now() - 4 * HOUR);
    const spy = vi.spyOn(env.MAIL_QUEUE, "sendBatch").mockRejectedValue(new Error("queue unavailable"));
    await runAcceptance(env.DB, {
      businessDate: "2031-01-14",
      now: Date.now() - 3 * HOUR,
      limit: 10,
      onDecided: async () => {},
    });
    // The requests are answered once recorded; the Worker "died" before that, so they stand unanswered.
    await runJob(env, "nightly", { date: "2031-01-15", now: Date.now() });
    await env.DB.prepare("UPDATE mail_requests SET done_at = NULL WHERE reservation_id IN (SELECT value FROM json_each(?))")
      .bind(JSON.stringify(ids))
      .run();
    const again = await runJob(env, "nightly", { date: "2031-01-16", now: Date.now() });
    spy.mockRestore();
    expect(again.mailRequestsResent).toBe(2);
    expect((await outboxKinds(ids)).sort()).toEqual(ids.map((id) => `accepted:${id}`).sort());
    const open = await env.DB.prepare(
      "SELECT count(*) AS n FROM mail_requests WHERE done_at IS NULL AND reservation_id IN (SELECT value FROM json_each(?))",
    )
      .bind(JSON.stringify(ids))
      .first<{ n: number }>();
    expect(open?.n).toBe(0);
  });

  it("stopped after a hold was made, before its mail was asked for: the nightly refresh records it", async () => {
    const p = await createPatron({ mustChange: false, contactMethod: "mail" });
    const id = await insertReservation(p.id, 270, "reserved");
    const spy = vi.spyOn(env.MAIL_QUEUE, "sendBatch").mockRejectedValue(died);
    const send = vi.spyOn(env.MAIL_QUEUE, "send").mockRejectedValue(died);
    // The queue refusing and the direct write failing stand for the Worker dying right after the hold's batch.
    const record = vi.spyOn(env.DB, "prepare");
    record.mockImplementation(function (this: D1Database, sql: string) {
      if (sql.includes("INSERT INTO mail_outbox")) throw died;
      return D1Prepare.call(this, sql);
    });
    const res = await call(`/api/v1/admin/reservations/${id}/hold`, {
      method: "POST",
      headers: { Authorization: "Bearer test-admin-token", "content-type": "application/json" },
      body: JSON.stringify({ itemId: await itemOf(270) }),
    });
    record.mockRestore();
    spy.mockRestore();
    send.mockRestore();
    expect(res.status).toBe(200);
    const held = await env.DB.prepare("SELECT held_at AS heldAt FROM reservations WHERE id = ?")
      .bind(id)
      .first<{ heldAt: number }>();
    await env.DB.prepare("UPDATE mail_requests SET requested_at = requested_at - ? WHERE reservation_id = ?")
      .bind(HOUR, id)
      .run();
    const spy2 = vi.spyOn(env.MAIL_QUEUE, "sendBatch").mockRejectedValue(new Error("queue unavailable"));
    // Tonight's refresh (a later date would expire the hold first).
    await runJob(env, "nightly", { date: tokyoDate(Date.now()), now: Date.now() });
    spy2.mockRestore();
    const row = await env.DB.prepare("SELECT kind FROM mail_outbox WHERE idempotency_key = ?")
      .bind(`hold_ready:${id}:${held?.heldAt}`)
      .first<{ kind: string }>();
    expect(row?.kind).toBe("hold_ready");
  });

  it("an outbox row left 'sending' by a dead delivery, or 'failed' with its retry lost, is queued again; past the budget it is given up", async () => {
    const p = await createPatron({ mustChange: false });
    const old = Date.now() - 2 * HOUR;
    const insert = (key: string, status: string, attempts: number) =>
      env.DB.prepare(
        `INSERT INTO mail_outbox (idempotency_key, patron_id, to_address, subject, body, kind, status, attempts, created_at)
         VALUES (?, ?, 'a@example.jp', 's', 'b', 'accepted', ?, ?, ?) RETURNING id`,
      )
        .bind(key, p.id, status, attempts, old)
        .first<{ id: number }>();
    const sending = await insert(`test-sending-${p.id}`, "sending", 1);
    const failed = await insert(`test-failed-${p.id}`, "failed", 2);
    const spent = await insert(`test-spent-${p.id}`, "failed", 6);
    const sent: unknown[] = [];
    const spy = vi.spyOn(env.MAIL_QUEUE, "sendBatch").mockImplementation(async (messages) => {
      for (const m of messages) sent.push(m.body);
      return {} as Awaited<ReturnType<Queue["sendBatch"]>>;
    });
    const withProvider = { ...env, MAIL_PROVIDER_URL: "https://mail.test" } as unknown as Env;
    await runJob(withProvider, "nightly", { date: "2031-01-12", now: Date.now() });
    spy.mockRestore();
    const state = async (id: number | undefined) =>
      (await env.DB.prepare("SELECT status FROM mail_outbox WHERE id = ?").bind(id).first<{ status: string }>())?.status;
    expect(await state(sending?.id)).toBe("queued");
    expect(await state(failed?.id)).toBe("queued");
    expect(await state(spent?.id)).toBe("dead");
    expect(sent).toEqual(expect.arrayContaining([{ outboxId: sending?.id }, { outboxId: failed?.id }]));
  });

  it("mail older than the retention is purged whatever its state", async () => {
    const p = await createPatron({ mustChange: false });
    const old = Date.now() - 31 * 24 * HOUR;
    for (const status of ["queued", "sending", "failed"]) {
      await env.DB.prepare(
        `INSERT INTO mail_outbox (idempotency_key, patron_id, to_address, subject, body, kind, status, created_at)
         VALUES (?, ?, 'a@example.jp', 's', 'b', 'accepted', ?, ?)`,
      )
        .bind(`old-${status}-${p.id}`, p.id, status, old)
        .run();
    }
    await runJob(env, "nightly", { date: "2031-01-13", now: Date.now() });
    const left = await env.DB.prepare("SELECT count(*) AS n FROM mail_outbox WHERE patron_id = ?")
      .bind(p.id)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
  });
});

const D1Prepare = Object.getPrototypeOf(env.DB).prepare as D1Database["prepare"];
