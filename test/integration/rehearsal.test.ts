// The rehearsal clock (受入テスト): outside production, staff walk a reservation through future mornings with
// the staff API, each run acting as that date's cron would; in production the same request is refused.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { weekday } from "../../src/domain/calendar";
import worker from "../../src/index";
import { tokyoInstant } from "../../src/jobs/schedule";
import { classicMaterials, loadCatalog } from "../support/catalog";
import { BASE, call } from "../support/http";
import { apiLogin, cookiesFrom, createPatron, formPost, withToken } from "../support/patrons";
import { itemOf } from "../support/rows";

/** March 2031: every day open but Sundays (far enough ahead that "today" never reaches it). */
beforeAll(async () => {
  await loadCatalog();
  const days = Array.from({ length: 31 }, (_, i) => `2031-03-${String(i + 1).padStart(2, "0")}`);
  await env.DB.batch(
    days.map((d) =>
      env.DB.prepare("INSERT OR REPLACE INTO calendar_days (date, open) VALUES (?, ?)").bind(d, weekday(d) === 0 ? 0 : 1),
    ),
  );
});

/** Vars as a deployment may set them (the generated Env types carry the local literal values). */
type Overrides = Partial<Record<keyof Env, unknown>>;

async function fetchAs(overrides: Overrides, path: string, init?: RequestInit) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${BASE}${path}`, init), { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const adminPost = (path: string, body: unknown, overrides: Overrides = {}) =>
  fetchAs(overrides, `/api/v1/admin${path}`, {
    method: "POST",
    headers: { Authorization: "Bearer test-admin-token", "content-type": "application/json" },
    body: JSON.stringify(body),
  });

const reservation = (id: number) =>
  env.DB.prepare("SELECT status, accepted_at AS acceptedAt, hold_until AS holdUntil FROM reservations WHERE id = ?")
    .bind(id)
    .first<{ status: string; acceptedAt: number | null; holdUntil: string | null }>();

const runRow = (job: string, date: string) =>
  env.DB.prepare(
    "SELECT slot, started_at AS startedAt, finished_at AS finishedAt FROM job_runs WHERE job = ? AND business_date = ?",
  )
    .bind(job, date)
    .all<{ slot: string; startedAt: number; finishedAt: number | null }>();

async function apply(materialId: number) {
  const p = await createPatron({ mustChange: false, password: "Yomu2718" });
  const token = (await apiLogin(p)).body.token as string;
  expect((await call("/api/v1/cart/items", withToken(token, "POST", { materialId, pickupBranch: "central" }))).status).toBe(201);
  const res = await call("/api/v1/cart/apply", withToken(token, "POST", {}));
  expect(res.status).toBe(201);
  const body = (await res.json()) as { reservations: Array<{ id: number }> };
  return { patron: p, token, id: body.reservations[0]?.id as number };
}

const material = classicMaterials.find((m) => m.id % 3 !== 0)?.id as number;

describe("rehearsal clock", () => {
  it("walks a reservation through three rehearsal mornings: applied → 予約中 → お取り置き → 期限切れ → the next patron", async () => {
    const first = await apply(material);
    const second = await apply(material);
    const itemId = await itemOf(material);

    // Morning 1 (Mon 3 March 2031): the acceptance runs as its 07:30 cron would.
    const m1 = await adminPost("/jobs/acceptance", { date: "2031-03-03" });
    expect(m1.status).toBe(200);
    expect(await m1.json()).toMatchObject({ businessDate: "2031-03-03", accepted: 2, rejected: 0, rehearsal: true });
    const cutOff = tokyoInstant("2031-03-03", "07:30");
    expect((await runRow("acceptance", "2031-03-03")).results).toEqual([
      expect.objectContaining({ slot: "07:30", startedAt: cutOff }),
    ]);
    expect(await reservation(first.id)).toMatchObject({ status: "reserved", acceptedAt: cutOff });
    expect((await reservation(second.id))?.acceptedAt).toBeGreaterThan(cutOff);
    // The acceptance mail was asked for, as the cron's would be.
    const mail = await env.DB.prepare(
      "SELECT count(*) AS n FROM mail_requests WHERE kind = 'accepted' AND reservation_id IN (?, ?)",
    )
      .bind(first.id, second.id)
      .first<{ n: number }>();
    expect(mail?.n).toBe(2);

    // Staff set the copy aside that morning: the deadline counts 7 opening days from 3 March (Sunday closed).
    const hold = await adminPost(`/reservations/${first.id}/hold`, { itemId });
    expect(hold.status).toBe(200);
    expect(await hold.json()).toMatchObject({ holdUntil: "2031-03-11" });
    const mine = (await (await call("/api/v1/me/reservations", withToken(first.token, "GET"))).json()) as {
      items: Array<{ id: number; statusLabel: string; holdUntil: string }>;
    };
    expect(mine.items.find((r) => r.id === first.id)).toMatchObject({ statusLabel: "お取り置き", holdUntil: "2031-03-11" });

    // Morning 2 (4 March): the night before changes nothing; nothing new to accept.
    expect(await (await adminPost("/jobs/nightly", { date: "2031-03-04" })).json()).toMatchObject({ holdsExpired: 0 });
    expect(await (await adminPost("/jobs/acceptance", { date: "2031-03-04" })).json()).toMatchObject({ accepted: 0 });
    expect((await reservation(first.id))?.status).toBe("on_hold");

    // Morning 3 (12 March): the hold ran out on the 11th; the copy goes back and the next patron gets it.
    expect(await (await adminPost("/jobs/nightly", { date: "2031-03-12" })).json()).toMatchObject({
      businessDate: "2031-03-12",
      holdsExpired: 1,
      rehearsal: true,
    });
    expect((await reservation(first.id))?.status).toBe("expired");
    const next = await adminPost(`/reservations/${second.id}/hold`, { itemId });
    expect(next.status).toBe(200);
    expect(await next.json()).toMatchObject({ holdUntil: "2031-03-20" });
    expect((await reservation(second.id))?.status).toBe("on_hold");
  });

  it("refuses the same future date in production (400, as before) and runs nothing", async () => {
    const res = await adminPost("/jobs/acceptance", { date: "2031-03-05" }, { ENVIRONMENT: "production" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; fields: Record<string, string> } };
    expect(body.error.code).toBe("invalid_request");
    expect(body.error.fields.date).toBe("未来の日付では実行できません。");
    expect((await adminPost("/jobs/nightly", { date: "2031-03-05" }, { ENVIRONMENT: "production" })).status).toBe(400);
    expect((await runRow("acceptance", "2031-03-05")).results).toEqual([]);
    expect((await runRow("nightly", "2031-03-05")).results).toEqual([]);
  });

  it("in production, staff deadlines count from today even after a rehearsal ran ahead", async () => {
    const { id } = await apply(classicMaterials.find((m) => m.id % 3 !== 0 && m.id !== material)?.id as number);
    await env.DB.prepare("UPDATE reservations SET status = 'reserved', accepted_at = ? WHERE id = ?").bind(Date.now(), id).run();
    const row = await env.DB.prepare("SELECT material_id AS m FROM reservations WHERE id = ?").bind(id).first<{ m: number }>();
    const res = await adminPost(
      `/reservations/${id}/hold`,
      { itemId: await itemOf(row?.m as number) },
      { ENVIRONMENT: "production" },
    );
    expect(res.status).toBe(200);
    // Seven opening days after today in this calendar (nothing until March 2031, then Sundays closed), not
    // after the rehearsal's 12 March.
    expect(((await res.json()) as { holdUntil: string }).holdUntil).toBe("2031-03-08");
  });

  it("runs each of several acceptance times of a day once, and refuses a time that is not one of them", async () => {
    const two = { ACCEPTANCE_TIMES: "08:30,18:00" };
    const morning = await adminPost("/jobs/acceptance", { date: "2031-03-06", time: "08:30" }, two);
    const evening = await adminPost("/jobs/acceptance", { date: "2031-03-06", time: "18:00" }, two);
    expect([morning.status, evening.status]).toEqual([200, 200]);
    const again = await adminPost("/jobs/acceptance", { date: "2031-03-06", time: "18:00" }, two);
    expect(await again.json()).toMatchObject({ alreadyRun: true });
    expect((await runRow("acceptance", "2031-03-06")).results.map((r) => [r.slot, r.startedAt])).toEqual([
      ["08:30", tokyoInstant("2031-03-06", "08:30")],
      ["18:00", tokyoInstant("2031-03-06", "18:00")],
    ]);
    const bad = await adminPost("/jobs/acceptance", { date: "2031-03-07", time: "12:00" }, two);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { fields: Record<string, string> } }).error.fields.time).toContain("08:30・18:00");
    expect((await adminPost("/jobs/acceptance", { date: "2031-03-07", time: "8時" })).status).toBe(400);
    expect((await adminPost("/jobs/nightly", { date: "2031-03-07", time: "07:30" })).status).toBe(400);
    expect((await runRow("acceptance", "2031-03-07")).results).toEqual([]);
  });

  it("each cron runs its own acceptance time: 08:30 and 18:00 Tokyo are 23:30 and 09:00 UTC", async () => {
    const two = { ...env, ACCEPTANCE_TIMES: "08:30,18:00" } as unknown as Env;
    await worker.scheduled(createScheduledController({ cron: "30 23 * * *", scheduledTime: Date.UTC(2031, 2, 6, 23, 30) }), two);
    await worker.scheduled(createScheduledController({ cron: "0 9 * * *", scheduledTime: Date.UTC(2031, 2, 7, 9, 0) }), two);
    expect((await runRow("acceptance", "2031-03-07")).results.map((r) => r.slot)).toEqual(["08:30", "18:00"]);
    // A cron that is no job's is logged and ignored.
    await worker.scheduled(createScheduledController({ cron: "30 22 * * *", scheduledTime: Date.UTC(2031, 2, 7, 22, 30) }), two);
    expect((await runRow("acceptance", "2031-03-08")).results).toEqual([]);
  });

  it("the staff page runs a rehearsal morning and says so; it offers no rehearsal in production", async () => {
    const cookie = cookiesFrom(await call("/admin/login", formPost({ staffName: "研修 担当", token: "test-admin-token" })));
    const page = await call("/admin", { headers: { cookie } });
    const html = await page.text();
    expect(html).toContain("リハーサル（将来の日付で実行）");
    const res = await call("/admin/acceptance", formPost({ date: "2031-03-10", time: "07:30" }, cookie));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("2031年3月10日(月)（リハーサル） の受付処理を行いました");
    const prod = await fetchAs({ ENVIRONMENT: "production" }, "/admin", { headers: { cookie } });
    expect(await prod.text()).not.toContain("リハーサル");
    const refused = await fetchAs({ ENVIRONMENT: "production" }, "/admin/nightly", formPost({ date: "2031-03-11" }, cookie));
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("未来の日付では実行できません。");
  });
});
