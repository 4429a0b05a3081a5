// シリーズ予約 / 読みたい順 through the Worker: POST /api/v1/me/series (in order: only the first volume now,
// the next when the one before finishes — at night, at a staff loan, after the patron's cancellation; at the
// limit the series waits; together: all at once, all or nothing), a volume that can no longer be reserved
// passed over, GET/DELETE /me/series, the confirmation's 申請のしかた and 予約状況's series section without
// JavaScript, a finished series forgotten (privacy), and concurrent creations.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { runJob } from "../../src/jobs/run";
import { loadCatalog } from "../support/catalog";
import { call } from "../support/http";
import { apiLogin, cookiesFrom, createPatron, formPost, type TestPatron, withToken } from "../support/patrons";
import { activeInDb, insertActive, insertReservation, reservationsInDb } from "../support/rows";

beforeAll(loadCatalog);

const DAY = 24 * 60 * 60 * 1000;

interface ErrorBody {
  error: { code: string; message: string; fields?: Record<string, string>; materialIds?: number[]; remaining?: number };
}
interface AppliedJson {
  id: number;
  materialId: number;
  status: string;
  pickupBranch: string;
  appliedAt: string;
}
interface SeriesCreated {
  id: number;
  mode: string;
  reservations: AppliedJson[];
}
interface SeriesItemJson {
  position: number;
  materialId: number;
  title: string;
  reservationId: number | null;
  status: string | null;
  skipped: boolean;
}
interface SeriesJson {
  id: number;
  mode: string;
  pickupBranch: string;
  createdAt: string;
  stoppedAt: string | null;
  items: SeriesItemJson[];
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
  return `198.18.${addressSerial >> 8}.${(addressSerial & 255) + 1}`;
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

async function loginJar(patron: TestPatron): Promise<string> {
  const res = await post("/login", { cardNumber: patron.cardNumber, password: patron.password });
  expect(res.status).toBe(303);
  return cookiesFrom(res);
}

async function pagePatron(): Promise<{ patron: TestPatron; jar: string }> {
  const patron = await createPatron({ mustChange: false, password: "Yomu2718" });
  return { patron, jar: await loginJar(patron) };
}

/** A patron with both a bearer token (the API) and a cookie (the pages). */
async function bothPatron(): Promise<TestPatron & { token: string; jar: string }> {
  const p = await apiPatron();
  return { ...p, jar: await loginJar(p) };
}

// ---- materials of this file only: each test makes its own ----

let materialSerial = 0;

/** A new material with `copies` lendable copies at 中央 (on the shelf). */
async function newMaterial(copies = 1): Promise<{ id: number; title: string; itemIds: number[] }> {
  materialSerial += 1;
  const serial = materialSerial;
  const title = `シリーズ予約テスト資料${serial}`;
  const m = await env.DB.prepare(
    "INSERT INTO materials (title, type, title_sort, title_norm) VALUES (?, 'book', ?, ?) RETURNING id",
  )
    .bind(title, title, title)
    .first<{ id: number }>();
  const id = m?.id as number;
  const itemIds: number[] = [];
  for (let k = 0; k < copies; k++) {
    const row = await env.DB.prepare(
      "INSERT INTO items (material_id, branch_code, barcode, call_number, status, loanable) VALUES (?, 'central', ?, '913/テ', 'available', 1) RETURNING id",
    )
      .bind(id, `SR${String(serial).padStart(5, "0")}-${k}`)
      .first<{ id: number }>();
    itemIds.push(row?.id as number);
  }
  return { id, title, itemIds };
}

const newMaterials = async (n: number) => {
  const out: Array<{ id: number; title: string; itemIds: number[] }> = [];
  for (let i = 0; i < n; i++) out.push(await newMaterial(1));
  return out;
};

// ---- the API ----

const createSeries = (token: string, materialIds: number[], mode: string, pickupBranch = "central") =>
  api<SeriesCreated & ErrorBody>(
    "/api/v1/me/series",
    withToken(token, "POST", { items: materialIds.map((materialId) => ({ materialId })), pickupBranch, mode }),
  );

const mySeries = async (token: string) => {
  const res = await api<{ items: SeriesJson[] }>("/api/v1/me/series", withToken(token, "GET"));
  expect(res.status).toBe(200);
  return res.body.items;
};

const seriesById = async (token: string, id: number) => {
  const s = (await mySeries(token)).find((x) => x.id === id);
  if (!s) throw new Error(`series ${id} not listed`);
  return s;
};

const cancel = (token: string, ids: number[]) =>
  api<{ results: Array<{ id: number; ok: boolean; status: string | null }> }>(
    "/api/v1/me/reservations/cancel",
    withToken(token, "POST", { ids }),
  );

const ADMIN = { Authorization: "Bearer test-admin-token", "content-type": "application/json" };
const staffLend = (cardNumber: string, itemId: number) =>
  api<{ id: number; dueDate: string } & ErrorBody>("/api/v1/admin/loans", {
    method: "POST",
    headers: ADMIN,
    body: JSON.stringify({ cardNumber, itemId }),
  });

// ---- rows ----

/** The reservation of a material the patron has (the newest), or undefined. */
const reservationOf = async (patronId: number, materialId: number) =>
  (await reservationsInDb(patronId)).filter((r) => r.materialId === materialId).at(-1);

const finish = (reservationId: number, status = "fulfilled", closedAt = Date.now()) =>
  env.DB.prepare("UPDATE reservations SET status = ?, closed_at = ?, updated_at = ? WHERE id = ?")
    .bind(status, closedAt, closedAt, reservationId)
    .run();

/** The reservation's copy set aside for the patron (お取り置き), as staff would have done. */
async function holdFor(reservationId: number, itemId: number): Promise<void> {
  const now = Date.now();
  const holdUntil = new Date(now + 7 * DAY).toISOString().slice(0, 10);
  await env.DB.batch([
    env.DB.prepare(
      "UPDATE reservations SET status = 'on_hold', accepted_at = coalesce(accepted_at, ?1), hold_item_id = ?2, held_at = ?1, hold_until = ?3, updated_at = ?1 WHERE id = ?4",
    ).bind(now, itemId, holdUntil, reservationId),
    env.DB.prepare("UPDATE items SET status = 'on_hold', updated_at = ? WHERE id = ?").bind(now, itemId),
  ]);
}

const seriesRows = (patronId: number) =>
  env.DB.prepare("SELECT id, mode, stopped_at AS stoppedAt FROM series WHERE patron_id = ? ORDER BY id")
    .bind(patronId)
    .all<{ id: number; mode: string; stoppedAt: number | null }>()
    .then((r) => r.results);

const seriesItemCount = async (seriesId: number) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM series_items WHERE series_id = ?").bind(seriesId).first<{ n: number }>())?.n ??
  0;

const seriesExists = async (seriesId: number) =>
  (await env.DB.prepare("SELECT id FROM series WHERE id = ?").bind(seriesId).first()) !== null;

// ---- the nightly job, on business dates of this file only (each runs once) ----

let nightSerial = 0;
async function nightly() {
  nightSerial += 1;
  const date = `2019-05-${String(nightSerial).padStart(2, "0")}`;
  return runJob(env, "nightly", { date, now: Date.now() });
}

const SERIES_HEADING = "シリーズ予約（読みたい順・まとめて受け取る）";
const WAITING_WORDS = "順番待ち（前の資料を受け取ると申請します）";
const occurrences = (html: string, s: string) => html.split(s).length - 1;

// ====================================================================================================

describe("POST /api/v1/me/series in_order (読みたい順)", () => {
  it("3 materials: 201; only the first is a reservation (予約申請中); the series lists all 3 in order; the limit counts 1", async () => {
    const p = await apiPatron();
    const [a, b, c] = await newMaterials(3);
    const ids = [a?.id, b?.id, c?.id] as number[];
    const res = await createSeries(p.token, ids, "in_order");
    expect(res.status).toBe(201);
    expect(res.body.mode).toBe("in_order");
    expect(typeof res.body.id).toBe("number");
    expect(res.body.reservations).toHaveLength(1);
    expect(res.body.reservations[0]).toMatchObject({ materialId: ids[0], status: "applied", pickupBranch: "central" });

    const rows = await reservationsInDb(p.id);
    expect(rows).toEqual([{ id: res.body.reservations[0]?.id, materialId: ids[0], status: "applied" }]);

    const mine = await api<{ items: Array<{ id: number; materialId: number; status: string }> }>(
      "/api/v1/me/reservations",
      withToken(p.token, "GET"),
    );
    expect(mine.body.items).toHaveLength(1);
    expect(mine.body.items[0]).toMatchObject({ materialId: ids[0], status: "applied" });

    const list = await mySeries(p.token);
    expect(list).toHaveLength(1);
    const s = list[0] as SeriesJson;
    expect(s).toMatchObject({ id: res.body.id, mode: "in_order", pickupBranch: "central", stoppedAt: null });
    expect(s.items.map((i) => [i.position, i.materialId])).toEqual([
      [1, ids[0]],
      [2, ids[1]],
      [3, ids[2]],
    ]);
    expect(s.items.map((i) => i.reservationId)).toEqual([res.body.reservations[0]?.id, null, null]);
    expect(s.items.map((i) => i.status)).toEqual(["applied", null, null]);
    expect(s.items.every((i) => !i.skipped)).toBe(true);
    expect(s.items[0]?.title).toBe(a?.title);

    // Only the applied volume counts toward the limit.
    expect(await activeInDb(p.id)).toBe(1);
    const cart = await api<{ limit: number; remaining?: number }>("/api/v1/cart", withToken(p.token, "GET"));
    expect(cart.body.remaining).toBe(cart.body.limit - 1);
  });

  it("every volume goes to the series' pickup branch", async () => {
    const p = await apiPatron();
    const ms = await newMaterials(2);
    const res = await createSeries(
      p.token,
      ms.map((m) => m.id),
      "in_order",
      "kita",
    );
    expect(res.status).toBe(201);
    expect(res.body.reservations[0]?.pickupBranch).toBe("kita");
    const first = res.body.reservations[0]?.id as number;
    await cancel(p.token, [first]);
    const second = await reservationOf(p.id, ms[1]?.id as number);
    const row = await env.DB.prepare("SELECT pickup_branch AS b FROM reservations WHERE id = ?")
      .bind(second?.id ?? 0)
      .first<{ b: string }>();
    expect(row?.b).toBe("kita");
    expect((await mySeries(p.token))[0]?.pickupBranch).toBe("kita");
  });
});

describe("the next volume when the one before finishes", () => {
  it("(a) the first 貸出済み in D1, then the nightly job: the second is applied, seriesAdvanced ≥ 1", async () => {
    const p = await apiPatron();
    const ms = await newMaterials(3);
    const res = await createSeries(
      p.token,
      ms.map((m) => m.id),
      "in_order",
    );
    expect(res.status).toBe(201);
    const first = res.body.reservations[0]?.id as number;
    await finish(first, "fulfilled");

    const summary = await nightly();
    expect(summary.seriesAdvanced ?? 0).toBeGreaterThanOrEqual(1);

    const second = await reservationOf(p.id, ms[1]?.id as number);
    expect(second?.status).toBe("applied");
    expect(await reservationOf(p.id, ms[2]?.id as number)).toBeUndefined();
    const s = await seriesById(p.token, res.body.id);
    expect(s.items.map((i) => i.status)).toEqual(["fulfilled", "applied", null]);
    expect(s.items[1]?.reservationId).toBe(second?.id);
    expect(await activeInDb(p.id)).toBe(1);
  });

  it("the nightly job applies nothing while the one before is still active", async () => {
    const p = await apiPatron();
    const ms = await newMaterials(2);
    const res = await createSeries(
      p.token,
      ms.map((m) => m.id),
      "in_order",
    );
    await env.DB.prepare("UPDATE reservations SET status = 'reserved', accepted_at = ? WHERE id = ?")
      .bind(Date.now(), res.body.reservations[0]?.id ?? 0)
      .run();
    await nightly();
    expect(await reservationOf(p.id, ms[1]?.id as number)).toBeUndefined();
    expect((await seriesById(p.token, res.body.id)).items.map((i) => i.status)).toEqual(["reserved", null]);
  });

  it("(b) a staff loan of the copy set aside: the next volume is applied at once (no nightly)", async () => {
    const p = await apiPatron();
    const ms = await newMaterials(3);
    const [a, b, c] = ms as [(typeof ms)[0], (typeof ms)[0], (typeof ms)[0]];
    const res = await createSeries(p.token, [a.id, b.id, c.id], "in_order");
    expect(res.status).toBe(201);

    // The first is collected: the second is applied.
    await holdFor(res.body.reservations[0]?.id as number, a.itemIds[0] as number);
    const lentA = await staffLend(p.cardNumber, a.itemIds[0] as number);
    expect(lentA.status).toBe(201);
    const second = await reservationOf(p.id, b.id);
    expect(second?.status).toBe("applied");

    // The second set aside and collected: the third is applied in the loan's request.
    await holdFor(second?.id as number, b.itemIds[0] as number);
    expect(await reservationOf(p.id, c.id)).toBeUndefined();
    const lentB = await staffLend(p.cardNumber, b.itemIds[0] as number);
    expect(lentB.status).toBe(201);
    expect((await reservationOf(p.id, b.id))?.status).toBe("fulfilled");
    const third = await reservationOf(p.id, c.id);
    expect(third?.status).toBe("applied");
    const s = await seriesById(p.token, res.body.id);
    expect(s.items.map((i) => i.status)).toEqual(["fulfilled", "fulfilled", "applied"]);
    expect(s.items[2]?.reservationId).toBe(third?.id);
  });

  it("(c) the patron cancels the current volume (予約申請取消): the next is applied in the same request", async () => {
    const p = await apiPatron();
    const ms = await newMaterials(3);
    const res = await createSeries(
      p.token,
      ms.map((m) => m.id),
      "in_order",
    );
    const first = res.body.reservations[0]?.id as number;
    const cancelled = await cancel(p.token, [first]);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.results).toEqual([{ id: first, ok: true, status: "application_cancelled" }]);

    const rows = await reservationsInDb(p.id);
    expect(rows.map((r) => [r.materialId, r.status])).toEqual([
      [ms[0]?.id, "application_cancelled"],
      [ms[1]?.id, "applied"],
    ]);
    const s = await seriesById(p.token, res.body.id);
    expect(s.items.map((i) => i.status)).toEqual(["application_cancelled", "applied", null]);
  });

  it("a cancellation of a 予約中 volume (取消申請中, still active) does not apply the next", async () => {
    const p = await apiPatron();
    const ms = await newMaterials(2);
    const res = await createSeries(
      p.token,
      ms.map((m) => m.id),
      "in_order",
    );
    const first = res.body.reservations[0]?.id as number;
    await env.DB.prepare("UPDATE reservations SET status = 'reserved', accepted_at = ? WHERE id = ?")
      .bind(Date.now(), first)
      .run();
    const cancelled = await cancel(p.token, [first]);
    expect(cancelled.body.results[0]).toMatchObject({ id: first, ok: true, status: "cancel_requested" });
    expect(await reservationOf(p.id, ms[1]?.id as number)).toBeUndefined();
  });
});

describe("in_order at the limit: the series waits", () => {
  it("10 active: 201 with no reservation and nothing applied; after one is cancelled the first volume is applied", async () => {
    const p = await apiPatron();
    const fillers = await newMaterials(10);
    const active = await insertActive(
      p.id,
      fillers.map((m) => m.id),
    );
    expect(await activeInDb(p.id)).toBe(10);
    const ms = await newMaterials(3);
    const res = await createSeries(
      p.token,
      ms.map((m) => m.id),
      "in_order",
    );
    expect(res.status).toBe(201);
    expect(res.body.reservations).toEqual([]);
    expect(typeof res.body.id).toBe("number");
    for (const m of ms) expect(await reservationOf(p.id, m.id)).toBeUndefined();
    const waiting = await seriesById(p.token, res.body.id);
    expect(waiting.items.map((i) => i.reservationId)).toEqual([null, null, null]);
    expect(waiting.items.every((i) => !i.skipped)).toBe(true);

    // insertActive makes the first one 予約申請中: its cancellation frees a place at once.
    const cancelled = await cancel(p.token, [active[0] as number]);
    expect(cancelled.body.results[0]).toMatchObject({ ok: true, status: "application_cancelled" });
    const first = await reservationOf(p.id, ms[0]?.id as number);
    expect(first?.status).toBe("applied");
    expect(await reservationOf(p.id, ms[1]?.id as number)).toBeUndefined();
    expect(await activeInDb(p.id)).toBe(10);
    const s = await seriesById(p.token, res.body.id);
    expect(s.items.map((i) => i.reservationId)).toEqual([first?.id, null, null]);
  });

  it("the nightly job leaves a waiting series waiting while the patron is still at the limit", async () => {
    const p = await apiPatron();
    await insertActive(
      p.id,
      (await newMaterials(10)).map((m) => m.id),
    );
    const ms = await newMaterials(2);
    const res = await createSeries(
      p.token,
      ms.map((m) => m.id),
      "in_order",
    );
    expect(res.status).toBe(201);
    await nightly();
    expect(await activeInDb(p.id)).toBe(10);
    const s = await seriesById(p.token, res.body.id);
    expect(s.items.map((i) => [i.reservationId, i.skipped])).toEqual([
      [null, false],
      [null, false],
    ]);
  });
});

describe("POST /api/v1/me/series together (まとめて受け取る)", () => {
  it("all applied at once: 201 with 3 reservations, each linked in the series", async () => {
    const p = await apiPatron();
    const ms = await newMaterials(3);
    const res = await createSeries(
      p.token,
      ms.map((m) => m.id),
      "together",
    );
    expect(res.status).toBe(201);
    expect(res.body.mode).toBe("together");
    expect(res.body.reservations.map((r) => [r.materialId, r.status])).toEqual(ms.map((m) => [m.id, "applied"]));
    expect(await activeInDb(p.id)).toBe(3);
    const s = await seriesById(p.token, res.body.id);
    expect(s.mode).toBe("together");
    expect(s.items.map((i) => i.reservationId)).toEqual(res.body.reservations.map((r) => r.id));
    expect(s.items.map((i) => i.status)).toEqual(["applied", "applied", "applied"]);
  });

  it("9 active and 3 items: 409 quota_exceeded, nothing written (no series row, no reservation)", async () => {
    const p = await apiPatron();
    await insertActive(
      p.id,
      (await newMaterials(9)).map((m) => m.id),
    );
    const ms = await newMaterials(3);
    const res = await createSeries(
      p.token,
      ms.map((m) => m.id),
      "together",
    );
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("quota_exceeded");
    expect(res.body.error.remaining).toBe(1);
    expect(await seriesRows(p.id)).toEqual([]);
    expect(await activeInDb(p.id)).toBe(9);
    for (const m of ms) expect(await reservationOf(p.id, m.id)).toBeUndefined();
    expect(await mySeries(p.token)).toEqual([]);
  });
});

describe("a volume that can no longer be reserved", () => {
  it("is passed over when its turn comes (skipped) and the one after it is applied", async () => {
    const p = await apiPatron();
    const ms = await newMaterials(3);
    const [a, b, c] = ms as [(typeof ms)[0], (typeof ms)[0], (typeof ms)[0]];
    const res = await createSeries(p.token, [a.id, b.id, c.id], "in_order");
    expect(res.status).toBe(201);
    // Every copy of the second is withdrawn (除籍) after the series was made.
    await env.DB.prepare("UPDATE items SET status = 'withdrawn' WHERE material_id = ?").bind(b.id).run();

    await finish(res.body.reservations[0]?.id as number, "fulfilled");
    await nightly();

    expect(await reservationOf(p.id, b.id)).toBeUndefined();
    const third = await reservationOf(p.id, c.id);
    expect(third?.status).toBe("applied");
    const s = await seriesById(p.token, res.body.id);
    expect(s.items.map((i) => [i.materialId, i.skipped, i.reservationId])).toEqual([
      [a.id, false, res.body.reservations[0]?.id],
      [b.id, true, null],
      [c.id, false, third?.id],
    ]);
    expect(s.items[1]?.status).toBeNull();
  });

  it("a volume the patron reserved meanwhile is passed over too (no second reservation of it)", async () => {
    const p = await apiPatron();
    const ms = await newMaterials(3);
    const [a, b, c] = ms as [(typeof ms)[0], (typeof ms)[0], (typeof ms)[0]];
    const res = await createSeries(p.token, [a.id, b.id, c.id], "in_order");
    const own = await insertReservation(p.id, b.id, "reserved");
    await cancel(p.token, [res.body.reservations[0]?.id as number]);
    const rowsOfB = (await reservationsInDb(p.id)).filter((r) => r.materialId === b.id);
    expect(rowsOfB.map((r) => r.id)).toEqual([own]);
    expect((await reservationOf(p.id, c.id))?.status).toBe("applied");
    const s = await seriesById(p.token, res.body.id);
    expect(s.items.map((i) => i.skipped)).toEqual([false, true, false]);
  });
});

describe("POST /api/v1/me/series: what is refused", () => {
  it("1 item: 400 invalid_request", async () => {
    const p = await apiPatron();
    const m = await newMaterial(1);
    const res = await createSeries(p.token, [m.id], "in_order");
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect(await seriesRows(p.id)).toEqual([]);
  });

  it("no items: 400 invalid_request", async () => {
    const p = await apiPatron();
    const res = await createSeries(p.token, [], "together");
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
  });

  it("the same material twice: 400 invalid_request, nothing written", async () => {
    const p = await apiPatron();
    const [a, b] = await newMaterials(2);
    const res = await createSeries(p.token, [a?.id, b?.id, a?.id] as number[], "in_order");
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect(await reservationsInDb(p.id)).toEqual([]);
    expect(await seriesRows(p.id)).toEqual([]);
  });

  it("an unknown pickup branch: 400 invalid_request, nothing written", async () => {
    const p = await apiPatron();
    const ms = await newMaterials(2);
    for (const mode of ["in_order", "together"]) {
      const res = await createSeries(
        p.token,
        ms.map((m) => m.id),
        mode,
        "nowhere",
      );
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
    expect(await reservationsInDb(p.id)).toEqual([]);
    expect(await seriesRows(p.id)).toEqual([]);
  });

  it("an unknown pickup branch is refused even at the limit (in order)", async () => {
    const p = await apiPatron();
    await insertActive(
      p.id,
      (await newMaterials(10)).map((m) => m.id),
    );
    const ms = await newMaterials(2);
    const res = await createSeries(
      p.token,
      ms.map((m) => m.id),
      "in_order",
      "nowhere",
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect(await seriesRows(p.id)).toEqual([]);
  });

  it("20 items are accepted; 21 items: 400 invalid_request", async () => {
    const p = await apiPatron();
    const twenty = await newMaterials(20);
    const ok = await createSeries(
      p.token,
      twenty.map((m) => m.id),
      "in_order",
    );
    expect(ok.status).toBe(201);
    expect((await seriesById(p.token, ok.body.id)).items).toHaveLength(20);

    const q = await apiPatron();
    const res = await createSeries(
      q.token,
      Array.from({ length: 21 }, (_, i) => i + 1),
      "in_order",
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect(await seriesRows(q.id)).toEqual([]);
  });

  it("a material the patron already has actively reserved: 409 already_reserved naming it, nothing written", async () => {
    const p = await apiPatron();
    const [a, b, c] = await newMaterials(3);
    await insertReservation(p.id, b?.id as number, "reserved");
    for (const mode of ["in_order", "together"]) {
      const res = await createSeries(p.token, [a?.id, b?.id, c?.id] as number[], mode);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("already_reserved");
      expect(res.body.error.materialIds).toEqual([b?.id]);
    }
    expect((await reservationsInDb(p.id)).map((r) => r.materialId)).toEqual([b?.id]);
    expect(await seriesRows(p.id)).toEqual([]);
  });

  it("a material that cannot be reserved: 409 not_reservable, nothing written", async () => {
    const p = await apiPatron();
    const a = await newMaterial(1);
    const none = await newMaterial(0);
    const res = await createSeries(p.token, [a.id, none.id], "in_order");
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("not_reservable");
    expect(await reservationsInDb(p.id)).toEqual([]);
    expect(await seriesRows(p.id)).toEqual([]);
  });

  it("an unknown mode, or none: 400 invalid_request", async () => {
    const p = await apiPatron();
    const ms = await newMaterials(2);
    const bad = await createSeries(
      p.token,
      ms.map((m) => m.id),
      "sideways",
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("invalid_request");
    const none = await api<ErrorBody>(
      "/api/v1/me/series",
      withToken(p.token, "POST", { items: ms.map((m) => ({ materialId: m.id })), pickupBranch: "central" }),
    );
    expect(none.status).toBe(400);
    expect(none.body.error.code).toBe("invalid_request");
    expect(await seriesRows(p.id)).toEqual([]);
  });

  it("not logged in: 401 for POST, GET and DELETE", async () => {
    const ms = await newMaterials(2);
    const res = await api<ErrorBody>("/api/v1/me/series", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ items: ms.map((m) => ({ materialId: m.id })), pickupBranch: "central", mode: "in_order" }),
    });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthenticated");
    expect((await call("/api/v1/me/series")).status).toBe(401);
    expect((await call("/api/v1/me/series/1", { method: "DELETE" })).status).toBe(401);
  });
});

describe("stopping a series", () => {
  it("DELETE /me/series/:id: 204; the first finishing then applies nothing more; the series says when it stopped", async () => {
    const p = await apiPatron();
    const ms = await newMaterials(3);
    const res = await createSeries(
      p.token,
      ms.map((m) => m.id),
      "in_order",
    );
    const first = res.body.reservations[0]?.id as number;
    const stopped = await call(`/api/v1/me/series/${res.body.id}`, withToken(p.token, "DELETE"));
    expect(stopped.status).toBe(204);
    // The applied volume stays as it is.
    expect((await reservationOf(p.id, ms[0]?.id as number))?.status).toBe("applied");

    await finish(first, "fulfilled");
    await nightly();
    expect(await reservationOf(p.id, ms[1]?.id as number)).toBeUndefined();
    expect(await reservationOf(p.id, ms[2]?.id as number)).toBeUndefined();
    const s = await seriesById(p.token, res.body.id);
    expect(s.stoppedAt).not.toBeNull();
    expect(s.items.map((i) => i.reservationId)).toEqual([first, null, null]);

    // Stopping again is fine (still 204).
    expect((await call(`/api/v1/me/series/${res.body.id}`, withToken(p.token, "DELETE"))).status).toBe(204);
  });

  it("a stopped series is not advanced by the patron's cancellation either", async () => {
    const p = await apiPatron();
    const ms = await newMaterials(2);
    const res = await createSeries(
      p.token,
      ms.map((m) => m.id),
      "in_order",
    );
    await call(`/api/v1/me/series/${res.body.id}`, withToken(p.token, "DELETE"));
    await cancel(p.token, [res.body.reservations[0]?.id as number]);
    expect(await reservationOf(p.id, ms[1]?.id as number)).toBeUndefined();
  });

  it("another patron's series, or one that does not exist: 404, and it goes on", async () => {
    const owner = await apiPatron();
    const other = await apiPatron();
    const ms = await newMaterials(2);
    const res = await createSeries(
      owner.token,
      ms.map((m) => m.id),
      "in_order",
    );
    const theirs = await api<ErrorBody>(`/api/v1/me/series/${res.body.id}`, withToken(other.token, "DELETE"));
    expect(theirs.status).toBe(404);
    expect(theirs.body.error.code).toBe("not_found");
    expect((await call("/api/v1/me/series/999999999", withToken(other.token, "DELETE"))).status).toBe(404);
    expect((await call("/api/v1/me/series/abc", withToken(other.token, "DELETE"))).status).toBe(404);
    // Another patron's series is not listed for them either.
    expect(await mySeries(other.token)).toEqual([]);

    expect((await seriesById(owner.token, res.body.id)).stoppedAt).toBeNull();
    await cancel(owner.token, [res.body.reservations[0]?.id as number]);
    expect((await reservationOf(owner.id, ms[1]?.id as number))?.status).toBe("applied");
  });

  it("予約状況 shows the series section while something waits, and not once the series is stopped", async () => {
    const p = await bothPatron();
    const ms = await newMaterials(3);
    const res = await createSeries(
      p.token,
      ms.map((m) => m.id),
      "in_order",
    );
    const before = await page("/account/reservations", p.jar);
    expect(before.status).toBe(200);
    expect(before.html).toContain(SERIES_HEADING);
    expect(before.html).toContain(ms[1]?.title);

    await call(`/api/v1/me/series/${res.body.id}`, withToken(p.token, "DELETE"));
    const after = await page("/account/reservations", p.jar);
    expect(after.status).toBe(200);
    expect(after.html).not.toContain(SERIES_HEADING);
    expect(after.html).not.toContain(WAITING_WORDS);
  });
});

describe("pages without JavaScript", () => {
  /** Puts the materials in the patron's cart, in this order (their added_at set one second apart). */
  async function fillCart(patronId: number, jar: string, materialIds: number[], pickupBranch = "central") {
    let cookie = jar;
    for (const id of materialIds) {
      const res = await post("/cart/items", { materialId: String(id), pickupBranch }, cookie);
      expect(res.status).toBe(303);
      cookie = cookiesFrom(res, cookie);
    }
    const base = Date.now() - 60_000;
    for (const [k, id] of materialIds.entries())
      await env.DB.prepare(
        "UPDATE cart_items SET added_at = ? WHERE material_id = ? AND cart_id = (SELECT id FROM carts WHERE patron_id = ?)",
      )
        .bind(base + k * 1000, id, patronId)
        .run();
    return cookie;
  }

  const cartCount = async (patronId: number) =>
    (
      await env.DB.prepare("SELECT count(*) AS n FROM cart_items WHERE cart_id = (SELECT id FROM carts WHERE patron_id = ?)")
        .bind(patronId)
        .first<{ n: number }>()
    )?.n ?? 0;

  const applyKeyOf = (html: string) => /name="applyKey" value="([^"]+)"/.exec(html)?.[1] as string;

  /** A patron whose cart held `n` new materials, applied from the confirmation as 読みたい順. */
  async function inOrderFromCart(n: number) {
    const { patron, jar: login } = await pagePatron();
    const ms = await newMaterials(n);
    const jar = await fillCart(
      patron.id,
      login,
      ms.map((m) => m.id),
    );
    const confirm = await page("/cart/confirm", jar);
    const applied = await post("/cart/apply", { applyKey: applyKeyOf(confirm.html), mode: "in_order" }, jar);
    expect(applied.status).toBe(303);
    const seriesId = (await seriesRows(patron.id))[0]?.id as number;
    return { patron, jar, ms, seriesId };
  }

  it("2+ lines: the confirmation offers 申請のしかた; in_order applies only the first, empties the cart, done says シリーズ予約", async () => {
    const { patron, jar: login } = await pagePatron();
    const ms = await newMaterials(3);
    const jar = await fillCart(
      patron.id,
      login,
      ms.map((m) => m.id),
    );

    const confirm = await page("/cart/confirm", jar);
    expect(confirm.status).toBe(200);
    expect(confirm.html).toContain("申請のしかた");
    for (const id of ["modeEach", "modeInOrder", "modeTogether"]) expect(confirm.html).toContain(`id="${id}"`);
    expect(confirm.html).toContain('value="in_order"');
    expect(confirm.html).toContain('value="together"');
    const key = applyKeyOf(confirm.html);
    expect(key).toBeTruthy();

    const applied = await post("/cart/apply", { applyKey: key, mode: "in_order" }, jar);
    expect(applied.status).toBe(303);
    const rows = await reservationsInDb(patron.id);
    expect(rows.map((r) => [r.materialId, r.status])).toEqual([[ms[0]?.id, "applied"]]);
    expect(applied.headers.get("Location")).toBe(`/cart/done?ids=${rows[0]?.id}&series=1`);
    expect(await cartCount(patron.id)).toBe(0);

    const done = await page(applied.headers.get("Location") as string, jar);
    expect(done.status).toBe(200);
    expect(done.html).toContain("シリーズ予約として登録しました");
    expect(done.html).toContain(ms[0]?.title);
    expect(done.html).not.toContain(ms[1]?.title);

    const series = await seriesRows(patron.id);
    expect(series).toHaveLength(1);
    expect(series[0]?.mode).toBe("in_order");
    expect(await seriesItemCount(series[0]?.id as number)).toBe(3);
  });

  it("the same confirmation sent twice (same applyKey): no second series or reservation", async () => {
    const { patron, jar: login } = await pagePatron();
    const ms = await newMaterials(2);
    const jar = await fillCart(
      patron.id,
      login,
      ms.map((m) => m.id),
    );
    const key = applyKeyOf((await page("/cart/confirm", jar)).html);
    const first = await post("/cart/apply", { applyKey: key, mode: "in_order" }, jar);
    const again = await post("/cart/apply", { applyKey: key, mode: "in_order" }, jar);
    expect(first.status).toBe(303);
    expect(again.status).toBe(303);
    expect(await seriesRows(patron.id)).toHaveLength(1);
    expect(await reservationsInDb(patron.id)).toHaveLength(1);
    expect(again.headers.get("Location")).toMatch(/^\/cart\/done\?ids=\d+/);
  });

  it("the resent confirmation is answered as the first was: the same done page, said to be a シリーズ予約", async () => {
    const { patron, jar: login } = await pagePatron();
    const ms = await newMaterials(2);
    const jar = await fillCart(
      patron.id,
      login,
      ms.map((m) => m.id),
    );
    const key = applyKeyOf((await page("/cart/confirm", jar)).html);
    const first = await post("/cart/apply", { applyKey: key, mode: "in_order" }, jar);
    const again = await post("/cart/apply", { applyKey: key, mode: "in_order" }, jar);
    expect(first.headers.get("Location")).toContain("&series=1");
    expect(again.headers.get("Location")).toBe(first.headers.get("Location"));
  });

  it("予約状況 after an in_order apply from the cart: the series section, 順番待ち for each waiting line, a stop button", async () => {
    const { jar, ms, seriesId } = await inOrderFromCart(3);
    const status = await page("/account/reservations", jar);
    expect(status.status).toBe(200);
    expect(status.html).toContain(SERIES_HEADING);
    expect(occurrences(status.html, WAITING_WORDS)).toBe(2);
    for (const m of ms) expect(status.html).toContain(m.title);
    expect(status.html).toContain(`action="/account/series/${seriesId}/stop"`);
  });

  it("the page's stop button: 303 to 予約状況?stopped=1, which says so; the series is stopped and its section gone", async () => {
    const { patron, jar, ms, seriesId } = await inOrderFromCart(3);
    const stopped = await post(`/account/series/${seriesId}/stop`, {}, jar);
    expect(stopped.status).toBe(303);
    expect(stopped.headers.get("Location")).toBe("/account/reservations?stopped=1");
    const after = await page("/account/reservations?stopped=1", jar);
    expect(after.status).toBe(200);
    expect(after.html).toContain("シリーズ予約の、まだ申請していない分をやめました。");
    expect(after.html).not.toContain(SERIES_HEADING);
    expect(after.html).not.toContain(WAITING_WORDS);
    expect((await seriesRows(patron.id))[0]?.stoppedAt).not.toBeNull();
    // The applied first volume stays; the others never come.
    await finish((await reservationOf(patron.id, ms[0]?.id as number))?.id as number, "fulfilled");
    await nightly();
    expect(await reservationOf(patron.id, ms[1]?.id as number)).toBeUndefined();
  });

  it("the stop button without a login: to the login page, nothing stopped", async () => {
    const { patron, seriesId } = await inOrderFromCart(2);
    const res = await post(`/account/series/${seriesId}/stop`, {});
    expect(res.status).toBe(303);
    expect(res.headers.get("Location") ?? "").toContain("/login");
    expect((await seriesRows(patron.id))[0]?.stoppedAt).toBeNull();
  });

  it("a series from the cart goes to the first line's pickup branch", async () => {
    const { patron, jar: login } = await pagePatron();
    const [a, b] = await newMaterials(2);
    let jar = await fillCart(patron.id, login, [a?.id as number], "kita");
    jar = await fillCart(patron.id, jar, [b?.id as number], "minami");
    await env.DB.prepare("UPDATE cart_items SET added_at = added_at + 10000 WHERE material_id = ?")
      .bind(b?.id ?? 0)
      .run();
    const confirm = await page("/cart/confirm", jar);
    const applied = await post("/cart/apply", { applyKey: applyKeyOf(confirm.html), mode: "together" }, jar);
    expect(applied.status).toBe(303);
    expect(applied.headers.get("Location")).toMatch(/^\/cart\/done\?ids=\d+,\d+&series=1$/);
    const branches = await env.DB.prepare("SELECT pickup_branch AS b FROM reservations WHERE patron_id = ? ORDER BY id")
      .bind(patron.id)
      .all<{ b: string }>();
    expect(branches.results.map((r) => r.b)).toEqual(["kita", "kita"]);
  });

  it("together from the cart: every line a reservation, the done page says it is a series", async () => {
    const { patron, jar: login } = await pagePatron();
    const ms = await newMaterials(2);
    const jar = await fillCart(
      patron.id,
      login,
      ms.map((m) => m.id),
    );
    const confirm = await page("/cart/confirm", jar);
    const applied = await post("/cart/apply", { applyKey: applyKeyOf(confirm.html), mode: "together" }, jar);
    expect(applied.status).toBe(303);
    const rows = await reservationsInDb(patron.id);
    expect(rows.map((r) => r.materialId)).toEqual(ms.map((m) => m.id));
    expect(applied.headers.get("Location")).toBe(`/cart/done?ids=${rows.map((r) => r.id).join(",")}&series=1`);
    const done = await page(applied.headers.get("Location") as string, jar);
    expect(done.html).toContain("シリーズ予約として登録しました");
    expect((await seriesRows(patron.id))[0]?.mode).toBe("together");
  });

  it("the usual way (mode empty) makes no series", async () => {
    const { patron, jar: login } = await pagePatron();
    const ms = await newMaterials(2);
    const jar = await fillCart(
      patron.id,
      login,
      ms.map((m) => m.id),
    );
    const confirm = await page("/cart/confirm", jar);
    const applied = await post("/cart/apply", { applyKey: applyKeyOf(confirm.html), mode: "" }, jar);
    expect(applied.status).toBe(303);
    expect(applied.headers.get("Location")).not.toContain("series=1");
    expect(await reservationsInDb(patron.id)).toHaveLength(2);
    expect(await seriesRows(patron.id)).toEqual([]);
  });

  it("an unknown mode from the form: 400, nothing applied, the cart kept", async () => {
    const { patron, jar: login } = await pagePatron();
    const ms = await newMaterials(2);
    const jar = await fillCart(
      patron.id,
      login,
      ms.map((m) => m.id),
    );
    const confirm = await page("/cart/confirm", jar);
    const applied = await post("/cart/apply", { applyKey: applyKeyOf(confirm.html), mode: "sideways" }, jar);
    expect(applied.status).toBe(400);
    expect(await reservationsInDb(patron.id)).toEqual([]);
    expect(await cartCount(patron.id)).toBe(2);
  });

  it("in_order from the cart at the limit: 303 to 予約状況?series=1, which says the series waits; nothing applied", async () => {
    const { patron, jar: login } = await pagePatron();
    await insertActive(
      patron.id,
      (await newMaterials(10)).map((m) => m.id),
    );
    const ms = await newMaterials(2);
    const jar = await fillCart(
      patron.id,
      login,
      ms.map((m) => m.id),
    );
    const confirm = await page("/cart/confirm", jar);
    const applied = await post("/cart/apply", { applyKey: applyKeyOf(confirm.html), mode: "in_order" }, jar);
    expect(applied.status).toBe(303);
    expect(applied.headers.get("Location")).toBe("/account/reservations?series=1");
    for (const m of ms) expect(await reservationOf(patron.id, m.id)).toBeUndefined();
    expect(await seriesRows(patron.id)).toHaveLength(1);
    const status = await page("/account/reservations?series=1", jar);
    expect(status.html).toContain("シリーズ予約を登録しました。");
  });

  it("one line in the cart: the confirmation has no 申請のしかた", async () => {
    const { patron, jar: login } = await pagePatron();
    const m = await newMaterial(1);
    const jar = await fillCart(patron.id, login, [m.id]);
    const confirm = await page("/cart/confirm", jar);
    expect(confirm.status).toBe(200);
    expect(confirm.html).toContain(m.title);
    expect(confirm.html).not.toContain("申請のしかた");
    expect(confirm.html).not.toContain('id="modeInOrder"');
  });

  it("another patron's series from the stop button: 404, it goes on", async () => {
    const owner = await apiPatron();
    const ms = await newMaterials(2);
    const res = await createSeries(
      owner.token,
      ms.map((m) => m.id),
      "in_order",
    );
    const { jar } = await pagePatron();
    const stop = await post(`/account/series/${res.body.id}/stop`, {}, jar);
    expect(stop.status).toBe(404);
    expect((await seriesRows(owner.id))[0]?.stoppedAt).toBeNull();
  });
});

describe("privacy: a finished series is forgotten with its reservations", () => {
  it("once every reservation of it is anonymised (two nights), the series and its items are gone", async () => {
    const p = await apiPatron();
    const ms = await newMaterials(2);
    const res = await createSeries(
      p.token,
      ms.map((m) => m.id),
      "in_order",
    );
    const seriesId = res.body.id;
    const old = Date.now() - 31 * DAY;
    await finish(res.body.reservations[0]?.id as number, "fulfilled", old);

    // The first night: the first is anonymised, the second applied; something still waited, so the series stays.
    await nightly();
    expect(await seriesExists(seriesId)).toBe(true);
    const second = await reservationOf(p.id, ms[1]?.id as number);
    expect(second?.status).toBe("applied");

    await finish(second?.id as number, "fulfilled", old);
    const summary = await nightly();
    expect(summary.seriesForgotten).toBeGreaterThanOrEqual(1);
    expect(await seriesExists(seriesId)).toBe(false);
    expect(await seriesItemCount(seriesId)).toBe(0);
    expect(await mySeries(p.token)).toEqual([]);
  });

  it("a stopped series whose applied reservation has lost its patron is gone after one night; a live one stays", async () => {
    const p = await apiPatron();
    const ms = await newMaterials(3);
    const res = await createSeries(
      p.token,
      ms.map((m) => m.id),
      "in_order",
    );
    await call(`/api/v1/me/series/${res.body.id}`, withToken(p.token, "DELETE"));
    const first = res.body.reservations[0]?.id as number;
    await finish(first, "fulfilled", Date.now() - 40 * DAY);
    await env.DB.prepare("UPDATE reservations SET patron_id = NULL, anonymised_at = ? WHERE id = ?")
      .bind(Date.now(), first)
      .run();

    // Another patron's together series, still applied: it stays.
    const q = await apiPatron();
    const qs = await newMaterials(2);
    const live = await createSeries(
      q.token,
      qs.map((m) => m.id),
      "together",
    );
    // And an in-order one of a patron at the limit, its first volume still waiting (not stopped): it stays.
    const r = await apiPatron();
    const rs = await newMaterials(2);
    await insertActive(
      r.id,
      (await newMaterials(10)).map((m) => m.id),
    );
    const waiting = await createSeries(
      r.token,
      rs.map((m) => m.id),
      "in_order",
    );
    expect(waiting.body.reservations).toEqual([]);

    await nightly();
    expect(await seriesExists(res.body.id)).toBe(false);
    expect(await seriesItemCount(res.body.id)).toBe(0);
    expect(await seriesExists(live.body.id)).toBe(true);
    expect(await seriesItemCount(live.body.id)).toBe(2);
    expect(await seriesExists(waiting.body.id)).toBe(true);
  });

  it("a series whose reservations still know the patron stays, even when stopped and finished", async () => {
    const p = await apiPatron();
    const ms = await newMaterials(2);
    const res = await createSeries(
      p.token,
      ms.map((m) => m.id),
      "in_order",
    );
    await call(`/api/v1/me/series/${res.body.id}`, withToken(p.token, "DELETE"));
    // Finished recently: kept with the patron for questions at the counter.
    await finish(res.body.reservations[0]?.id as number, "fulfilled");
    await nightly();
    expect(await seriesExists(res.body.id)).toBe(true);
  });
});

describe("concurrent creations", () => {
  it("5 concurrent POST /me/series in_order of the same materials: one 201, the others 409 already_reserved, one series", async () => {
    const p = await apiPatron();
    const ms = await newMaterials(3);
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        createSeries(
          p.token,
          ms.map((m) => m.id),
          "in_order",
        ),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.error.code).toBe("already_reserved");
    expect(await seriesRows(p.id)).toHaveLength(1);
    expect((await reservationsInDb(p.id)).map((r) => [r.materialId, r.status])).toEqual([[ms[0]?.id, "applied"]]);
    const created = results.find((r) => r.status === 201);
    expect(await seriesItemCount(created?.body.id as number)).toBe(3);
  });

  it("5 concurrent together of the same materials: one 201, one series, each material reserved once", async () => {
    const p = await apiPatron();
    const ms = await newMaterials(2);
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        createSeries(
          p.token,
          ms.map((m) => m.id),
          "together",
        ),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(await seriesRows(p.id)).toHaveLength(1);
    expect((await reservationsInDb(p.id)).map((r) => r.materialId)).toEqual(ms.map((m) => m.id));
  });
});

type Material = { id: number; title: string; itemIds: number[] };

describe("after review", () => {
  it("a collected volume forgotten by the nightly (30 days) leaves the running series: no link from the patron to it remains", async () => {
    const p = await apiPatron();
    const [a, b, c] = (await newMaterials(3)) as [Material, Material, Material];
    const made = await createSeries(p.token, [a.id, b.id, c.id], "in_order");
    expect(made.status).toBe(201);
    const first = (await reservationOf(p.id, a.id))?.id as number;
    // Collected 31 days ago: the nightly anonymises it, and the series forgets that volume.
    await finish(first, "fulfilled", Date.now() - 31 * DAY);
    await nightly();
    const anonymised = await env.DB.prepare("SELECT patron_id AS p FROM reservations WHERE id = ?").bind(first).first();
    expect(anonymised).toEqual({ p: null });
    const items = await env.DB.prepare(
      "SELECT position, material_id AS m FROM series_items WHERE series_id = ? ORDER BY position",
    )
      .bind(made.body.id)
      .all();
    expect(items.results.map((r) => r.m)).not.toContain(a.id);
    expect(items.results.map((r) => r.m)).toEqual([b.id, c.id]);
    // The series goes on: the second volume was applied by the same night.
    expect((await reservationOf(p.id, b.id))?.status).toBe("applied");
  });

  it("the nightly asks only the patrons whose next volume's turn has come", async () => {
    const { patronsWithSeriesDue } = await import("../../src/reservations/series");
    const waiting = await apiPatron();
    const due = await apiPatron();
    const [a, b, c, d] = (await newMaterials(4)) as [Material, Material, Material, Material];
    await createSeries(waiting.token, [a.id, b.id], "in_order");
    await createSeries(due.token, [c.id, d.id], "in_order");
    await finish((await reservationOf(due.id, c.id))?.id as number);
    const ids = (await patronsWithSeriesDue(env.DB)).map((r) => r.patronId);
    expect(ids).toContain(due.id);
    expect(ids).not.toContain(waiting.id);
  });
});
