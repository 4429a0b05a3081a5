// The patron's reservations through the JSON API: the cart (patron and guest), all-or-nothing application
// within the limit of 10, the race for the last place, cancellation, queue positions, loans and isolation.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { addDays, tokyoDate } from "../../src/domain/calendar";
import { FIXTURES, loadCatalog } from "../support/catalog";
import { BASE, call } from "../support/http";
import { apiLogin, cookiesFrom, createPatron, formPost, readyPatron, withToken } from "../support/patrons";
import {
  activeInDb,
  insertActive,
  insertLoan,
  insertReservation,
  itemOf,
  reservationRow,
  reservationsInDb,
} from "../support/rows";

beforeAll(loadCatalog);

interface ErrorBody {
  error: { code: string; message: string; fields?: Record<string, string>; remaining?: number; token?: string };
}
interface CartBody {
  items: Array<{ materialId: number; title: string; pickupBranch: string }>;
  limit: number;
  remaining?: number;
}
interface Applied {
  id: number;
  materialId: number;
  status: string;
  pickupBranch: string;
  appliedAt: string;
}
interface ApplyBody {
  reservations: Applied[];
}
interface ReservationItem {
  id: number;
  materialId: number;
  title: string;
  pickupBranch: string;
  status: string;
  statusLabel: string;
  appliedAt: string;
  acceptedAt: string | null;
  queuePosition: number | null;
  holdUntil: string | null;
  cancellable: boolean;
  reason: string | null;
}
interface ReservationsBody {
  asOf: string;
  items: ReservationItem[];
}
interface CancelBody {
  results: Array<{ id: number; ok: boolean; status: string | null; error?: { code: string; message: string } }>;
}
interface LoansBody {
  asOf: string;
  items: Array<{ itemId: number; materialId: number; title: string; loanedAt: string; dueDate: string; overdue: boolean }>;
}

const ISO_TOKYO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+09:00$/;

async function api<T>(path: string, init: RequestInit): Promise<{ res: Response; status: number; body: T }> {
  const res = await call(path, init);
  const text = await res.text();
  return { res, status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

const getCart = (token: string) => api<CartBody>("/api/v1/cart", withToken(token, "GET"));
const addItem = (token: string, materialId: number, pickupBranch = "central") =>
  api<CartBody & ErrorBody>("/api/v1/cart/items", withToken(token, "POST", { materialId, pickupBranch }));
const applyCart = (token: string) => api<ApplyBody & ErrorBody>("/api/v1/cart/apply", withToken(token, "POST", {}));
const myReservations = (token: string) => api<ReservationsBody & ErrorBody>("/api/v1/me/reservations", withToken(token, "GET"));
const cancel = (token: string, ids: unknown) =>
  api<CancelBody & ErrorBody>("/api/v1/me/reservations/cancel", withToken(token, "POST", { ids }));
const myLoans = (token: string) => api<LoansBody & ErrorBody>("/api/v1/me/loans", withToken(token, "GET"));

/** Classic ids 1..40 (each has a loanable copy at 中央): reservable. */
const classic = (n: number) => {
  expect(n).toBeGreaterThanOrEqual(1);
  expect(n).toBeLessThanOrEqual(40);
  return n;
};

let addressSerial = 0;
const freshAddress = () => {
  addressSerial += 1;
  return `203.0.${Math.floor(addressSerial / 250)}.${(addressSerial % 250) + 1}`;
};

/**
 * A guest cart made through the pages (form posts from our own origin), returning its cookie. The pages are
 * used rather than POST /api/v1/cart/items so that tests of merging and applying do not depend on the JSON
 * answer to a guest's first line (pinned separately below).
 */
async function guestCart(materialIds: number[], pickupBranch: string): Promise<string> {
  let cookie = "";
  for (const m of materialIds) {
    const res = await call("/cart/items", formPost({ materialId: String(m), pickupBranch }, cookie || undefined));
    expect(res.status).toBe(303);
    cookie = cookiesFrom(res, cookie);
  }
  expect(cookie).toMatch(/__Host-cart=/);
  return cookie;
}

describe("the cart of a patron (bearer token)", () => {
  it("POST /cart/items answers 201 and GET /cart lists the material with its pickup branch, limit 10 and remaining", async () => {
    const { token } = await readyPatron();
    const added = await addItem(token, classic(1), "kita");
    expect(added.status).toBe(201);
    const { status, body } = await getCart(token);
    expect(status).toBe(200);
    expect(body.items).toEqual([{ materialId: 1, title: expect.any(String), pickupBranch: "kita" }]);
    expect(body.limit).toBe(10);
    expect(body.remaining).toBe(10);
  });

  it("shows remaining as the limit minus the patron's active reservations", async () => {
    const p = await readyPatron();
    await insertActive(p.id, [21, 22, 23]);
    expect((await getCart(p.token)).body.remaining).toBe(7);
  });

  it("adding the same material again replaces its pickup branch: still one line", async () => {
    const { token } = await readyPatron();
    expect((await addItem(token, classic(2), "central")).status).toBe(201);
    expect((await addItem(token, classic(2), "minami")).status).toBe(201);
    expect((await getCart(token)).body.items).toEqual([{ materialId: 2, title: expect.any(String), pickupBranch: "minami" }]);
  });

  it.each([
    ["the latest issue of a magazine", FIXTURES.latestIssue.id],
    ["reading-room-only material", FIXTURES.referenceOnly.id],
    ["material whose every copy is lost or damaged", FIXTURES.allLost.id],
    ["material with no copy", FIXTURES.noCopies.id],
  ])("refuses %s with 409 not_reservable and does not add it", async (_what, materialId) => {
    const { token } = await readyPatron();
    const res = await addItem(token, materialId);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("not_reservable");
    expect((await getCart(token)).body.items).toEqual([]);
  });

  it("refuses an unknown pickup branch with 400 fields.pickupBranch", async () => {
    const { token } = await readyPatron();
    const res = await addItem(token, classic(3), "nowhere");
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect(res.body.error.fields?.pickupBranch).toEqual(expect.any(String));
    expect((await getCart(token)).body.items).toEqual([]);
  });

  it("answers 404 for a material that does not exist", async () => {
    const { token } = await readyPatron();
    expect((await addItem(token, 999_999)).status).toBe(404);
  });

  it("DELETE /cart/items/:id answers 204 and removes the line", async () => {
    const { token } = await readyPatron();
    await addItem(token, classic(4));
    await addItem(token, classic(5));
    const res = await call(`/api/v1/cart/items/${classic(4)}`, withToken(token, "DELETE"));
    expect(res.status).toBe(204);
    expect((await getCart(token)).body.items.map((i) => i.materialId)).toEqual([5]);
  });
});

describe("the cart of a guest", () => {
  it("POST /cart/items without a session answers 201 and sets an __Host-cart cookie; GET /cart with it lists the line", async () => {
    const res = await call("/api/v1/cart/items", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ materialId: classic(6), pickupBranch: "higashi" }),
    });
    expect(res.status).toBe(201);
    const set = res.headers.getSetCookie().find((c) => c.startsWith("__Host-cart="));
    expect(set).toBeDefined();
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/Secure/);
    expect(set).toMatch(/Path=\//);
    const cookie = cookiesFrom(res);
    const cart = await api<CartBody>("/api/v1/cart", { headers: { Cookie: cookie } });
    expect(cart.body.items).toEqual([{ materialId: 6, title: expect.any(String), pickupBranch: "higashi" }]);
    expect(cart.body.remaining).toBeUndefined();
  });

  it("a guest's further POST /cart/items with the cart cookie answers 201 and lists both lines", async () => {
    const cookie = await guestCart([classic(8)], "central");
    const res = await api<CartBody>("/api/v1/cart/items", {
      method: "POST",
      headers: { "content-type": "application/json", Cookie: cookie, Origin: BASE },
      body: JSON.stringify({ materialId: classic(9), pickupBranch: "kita" }),
    });
    expect(res.status).toBe(201);
    expect(res.body.items.map((i) => [i.materialId, i.pickupBranch])).toEqual([
      [8, "central"],
      [9, "kita"],
    ]);
  });

  it("GET /cart without a cookie is an empty cart", async () => {
    const cart = await api<CartBody>("/api/v1/cart", {});
    expect(cart.body).toEqual({ items: [], limit: 10 });
  });

  it("logging in with the guest cart's cookie merges it into the patron's cart", async () => {
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    const cookie = await guestCart([classic(7)], "umibe");
    const login = await api<{ token: string }>("/api/v1/session", {
      method: "POST",
      headers: { "content-type": "application/json", Cookie: cookie, Origin: BASE, "CF-Connecting-IP": freshAddress() },
      body: JSON.stringify({ cardNumber: p.cardNumber, password: p.password }),
    });
    expect(login.status).toBe(200);
    const cart = await getCart(login.body.token);
    expect(cart.body.items).toEqual([{ materialId: 7, title: expect.any(String), pickupBranch: "umibe" }]);
  });
});

describe("POST /api/v1/cart/apply", () => {
  it("answers 201 with the applied reservations, empties the cart, and 予約状況 lists them as 予約申請中", async () => {
    const { token } = await readyPatron();
    await addItem(token, classic(8), "kita");
    await addItem(token, classic(9), "central");
    const before = Date.now();
    const { status, body } = await applyCart(token);
    expect(status).toBe(201);
    expect(body.reservations).toHaveLength(2);
    for (const r of body.reservations) {
      expect(r).toEqual({
        id: expect.any(Number),
        materialId: expect.any(Number),
        status: "applied",
        pickupBranch: expect.any(String),
        appliedAt: expect.stringMatching(ISO_TOKYO),
      });
      expect(Math.abs(Date.parse(r.appliedAt) - before)).toBeLessThan(60_000);
    }
    expect(body.reservations.map((r) => [r.materialId, r.pickupBranch]).sort()).toEqual([
      [8, "kita"],
      [9, "central"],
    ]);

    expect((await getCart(token)).body.items).toEqual([]);

    const mine = await myReservations(token);
    expect(mine.status).toBe(200);
    expect(mine.body.asOf).toMatch(ISO_TOKYO);
    expect(mine.body.items.map((i) => i.id).sort()).toEqual(body.reservations.map((r) => r.id).sort());
    for (const item of mine.body.items) {
      expect(item).toMatchObject({ status: "applied", statusLabel: "予約申請中", cancellable: true, queuePosition: null });
      expect(item.acceptedAt).toBeNull();
      expect(item.title).toEqual(expect.any(String));
    }
  });

  it("answers 400 for an empty cart", async () => {
    const { token } = await readyPatron();
    const res = await applyCart(token);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
  });

  it("answers 401 without a session or credentials", async () => {
    const res = await api<ErrorBody>("/api/v1/cart/apply", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(401);
  });

  it("is all or nothing: with 8 active, a cart of 3 is refused 409 quota_exceeded remaining 2; nothing applied, cart intact", async () => {
    const p = await readyPatron();
    await insertActive(p.id, [21, 22, 23, 24, 25, 26, 27, 28]);
    for (const m of [10, 11, 12]) await addItem(p.token, classic(m));
    const res = await applyCart(p.token);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("quota_exceeded");
    expect(res.body.error.remaining).toBe(2);
    expect(res.body.error.message).toMatch(/あと2件/);
    expect(await activeInDb(p.id)).toBe(8);
    expect((await reservationsInDb(p.id)).length).toBe(8);
    expect((await getCart(p.token)).body.items.map((i) => i.materialId).sort((a, b) => a - b)).toEqual([10, 11, 12]);
  });

  it("with 8 active, a cart of 2 fits exactly (the limit is reached, not passed)", async () => {
    const p = await readyPatron();
    await insertActive(p.id, [21, 22, 23, 24, 25, 26, 27, 28]);
    for (const m of [10, 11]) await addItem(p.token, classic(m));
    expect((await applyCart(p.token)).status).toBe(201);
    expect(await activeInDb(p.id)).toBe(10);
  });

  it("counts counter reservations toward the limit", async () => {
    const p = await readyPatron();
    await insertActive(p.id, [21, 22, 23, 24, 25, 26, 27, 28, 29]);
    await insertReservation(p.id, 30, "reserved", { source: "counter" });
    const me = await api<{ activeReservations: number; reservationLimit: number }>("/api/v1/me", withToken(p.token, "GET"));
    expect(me.body).toMatchObject({ activeReservations: 10, reservationLimit: 10 });
    await addItem(p.token, classic(13));
    const res = await applyCart(p.token);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("quota_exceeded");
    expect(res.body.error.remaining).toBe(0);
    expect(await activeInDb(p.id)).toBe(10);
  });

  it("does not count finished reservations toward the limit", async () => {
    const p = await readyPatron();
    await insertActive(p.id, [21, 22, 23, 24, 25, 26, 27, 28, 29]);
    for (const [m, s] of [
      [31, "rejected"],
      [32, "application_cancelled"],
      [33, "cancelled"],
      [34, "fulfilled"],
      [35, "expired"],
    ] as const) {
      await insertReservation(p.id, m, s);
    }
    await addItem(p.token, classic(14));
    expect((await applyCart(p.token)).status).toBe(201);
  });

  it("refuses a cart holding a material the patron already has an active reservation for: 409 already_reserved, nothing applied", async () => {
    const p = await readyPatron();
    await insertReservation(p.id, 15, "reserved");
    await addItem(p.token, classic(15));
    await addItem(p.token, classic(16));
    const res = await applyCart(p.token);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("already_reserved");
    expect((await reservationsInDb(p.id)).map((r) => r.materialId)).toEqual([15]);
    expect((await getCart(p.token)).body.items).toHaveLength(2);
  });

  it("allows reserving again a material whose earlier reservation is finished", async () => {
    const p = await readyPatron();
    await insertReservation(p.id, 17, "application_cancelled");
    await addItem(p.token, classic(17));
    expect((await applyCart(p.token)).status).toBe(201);
  });

  it("refuses a patron whose card has expired with 403 forbidden, nothing applied, cart intact", async () => {
    const p = await readyPatron();
    await env.DB.prepare("UPDATE patrons SET card_valid_until = ? WHERE id = ?")
      .bind(addDays(tokyoDate(Date.now()), -1), p.id)
      .run();
    await addItem(p.token, classic(19));
    const res = await applyCart(p.token);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("forbidden");
    expect(await reservationsInDb(p.id)).toEqual([]);
    expect((await getCart(p.token)).body.items).toHaveLength(1);
  });

  it("refuses a cart whose material became non-reservable meanwhile (409 not_reservable), nothing applied", async () => {
    const p = await readyPatron();
    const materialId = FIXTURES.kamishibai.id;
    await addItem(p.token, materialId);
    await addItem(p.token, classic(18));
    await env.DB.prepare("UPDATE items SET status = 'missing' WHERE material_id = ?").bind(materialId).run();
    try {
      const res = await applyCart(p.token);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("not_reservable");
      expect(await reservationsInDb(p.id)).toEqual([]);
    } finally {
      await env.DB.prepare("UPDATE items SET status = 'available' WHERE material_id = ?").bind(materialId).run();
    }
  });
});

describe("applying with credentials in the body (from a guest cart)", () => {
  const applyWith = (cookie: string, body: unknown) =>
    api<ApplyBody & ErrorBody>("/api/v1/cart/apply", {
      method: "POST",
      headers: { "content-type": "application/json", Cookie: cookie, Origin: BASE, "CF-Connecting-IP": freshAddress() },
      body: JSON.stringify(body),
    });

  it("applies the guest cart for a ready patron's card number and password: 201", async () => {
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    const cookie = await guestCart([classic(19), classic(20)], "minami");
    const res = await applyWith(cookie, { cardNumber: p.cardNumber, password: p.password });
    expect(res.status).toBe(201);
    expect(res.body.reservations.map((r) => [r.materialId, r.pickupBranch]).sort()).toEqual([
      [19, "minami"],
      [20, "minami"],
    ]);
    expect((await reservationsInDb(p.id)).map((r) => r.status)).toEqual(["applied", "applied"]);
  });

  it("refuses a wrong password with 401 invalid_credentials and applies nothing", async () => {
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    const cookie = await guestCart([classic(19)], "minami");
    const res = await applyWith(cookie, { cardNumber: p.cardNumber, password: "Zq8wrong" });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("invalid_credentials");
    expect(await reservationsInDb(p.id)).toEqual([]);
  });

  it("asks for only one of card number and password: 400", async () => {
    const cookie = await guestCart([classic(19)], "minami");
    const res = await applyWith(cookie, { cardNumber: "3900000000" });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
  });

  it("with temporary credentials answers 403 credentials_change_required with a token; after the change the cart applies intact", async () => {
    const p = await createPatron();
    const cookie = await guestCart([classic(21), classic(22), classic(23)], "minami");
    const refused = await applyWith(cookie, { cardNumber: p.cardNumber, password: p.password });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("credentials_change_required");
    const token = refused.body.error.token as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(await reservationsInDb(p.id)).toEqual([]);

    const changed = await api<{ token: string }>(
      "/api/v1/me/credentials",
      withToken(token, "PUT", {
        currentPassword: p.password,
        email: "reader@example.jp",
        emailConfirm: "reader@example.jp",
        password: "Hon2026x",
        passwordConfirm: "Hon2026x",
        contactMethod: "mail",
      }),
    );
    expect(changed.status).toBe(200);

    const applied = await applyCart(changed.body.token);
    expect(applied.status).toBe(201);
    expect(applied.body.reservations.map((r) => r.materialId).sort((a, b) => a - b)).toEqual([21, 22, 23]);
    expect(applied.body.reservations.every((r) => r.pickupBranch === "minami")).toBe(true);
    expect((await getCart(changed.body.token)).body.items).toEqual([]);
  });
});

describe("the race for the last place", () => {
  it("20 concurrent single applications with 9 active: exactly one 201, 19 × 409 quota_exceeded, exactly 10 active", async () => {
    const p = await readyPatron();
    await insertActive(p.id, [31, 32, 33, 34, 35, 36, 37, 38, 39]);
    const materials = Array.from({ length: 20 }, (_, i) => classic(i + 1));
    const answers = await Promise.all(
      materials.map((materialId) =>
        api<ErrorBody>("/api/v1/me/reservations", withToken(p.token, "POST", { materialId, pickupBranch: "central" })),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const a of answers.filter((x) => x.status === 409)) {
      expect(a.body.error.code).toBe("quota_exceeded");
      expect(a.body.error.remaining).toBe(0);
    }
    expect(await activeInDb(p.id)).toBe(10);
  });

  it("20 concurrent cart applications of a 1-item cart with 9 active: exactly one 201 and exactly 10 active", async () => {
    const p = await readyPatron();
    await insertActive(p.id, [31, 32, 33, 34, 35, 36, 37, 38, 39]);
    await addItem(p.token, classic(40));
    const answers = await Promise.all(Array.from({ length: 20 }, () => applyCart(p.token)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 201)) {
      expect([400, 409]).toContain(a.status);
    }
    expect(await activeInDb(p.id)).toBe(10);
    expect((await getCart(p.token)).body.items).toEqual([]);
  });

  it("POST /api/v1/me/reservations answers 201 {reservation} for one material", async () => {
    const { token } = await readyPatron();
    const res = await api<{ reservation: Applied }>(
      "/api/v1/me/reservations",
      withToken(token, "POST", { materialId: classic(1), pickupBranch: "kita" }),
    );
    expect(res.status).toBe(201);
    expect(res.body.reservation).toMatchObject({ materialId: 1, status: "applied", pickupBranch: "kita" });
    expect(res.body.reservation.appliedAt).toMatch(ISO_TOKYO);
  });
});

describe("POST /api/v1/me/reservations/cancel", () => {
  it("cancels an applied reservation at once: application_cancelled", async () => {
    const p = await readyPatron();
    const id = await insertReservation(p.id, 1, "applied");
    const { status, body } = await cancel(p.token, [id]);
    expect(status).toBe(200);
    expect(body.results).toEqual([{ id, ok: true, status: "application_cancelled" }]);
    expect((await reservationRow(id))?.status).toBe("application_cancelled");
    const listed = (await myReservations(p.token)).body.items.find((i) => i.id === id);
    expect(listed).toMatchObject({ statusLabel: "予約申請取消", cancellable: false });
  });

  it("turns a reserved reservation into cancel_requested (decided at the next acceptance)", async () => {
    const p = await readyPatron();
    const id = await insertReservation(p.id, 2, "reserved");
    const { body } = await cancel(p.token, [id]);
    expect(body.results).toEqual([{ id, ok: true, status: "cancel_requested" }]);
    expect((await reservationRow(id))?.status).toBe("cancel_requested");
    // Still active: it counts toward the limit until acceptance decides.
    expect(await activeInDb(p.id)).toBe(1);
  });

  it("refuses an on_hold reservation with invalid_state and a message telling to contact the library", async () => {
    const p = await readyPatron();
    const id = await insertReservation(p.id, 3, "on_hold", { holdUntil: addDays(tokyoDate(Date.now()), 7) });
    const { body } = await cancel(p.token, [id]);
    expect(body.results).toHaveLength(1);
    const [r] = body.results;
    expect(r?.ok).toBe(false);
    expect(r?.status).toBe("on_hold");
    expect(r?.error?.code).toBe("invalid_state");
    expect(r?.error?.message).toMatch(/受取館へご連絡ください/);
    expect((await reservationRow(id))?.status).toBe("on_hold");
  });

  it.each(["rejected", "cancelled", "fulfilled", "expired", "cancel_requested", "application_cancelled"] as const)(
    "refuses a %s reservation with invalid_state",
    async (status) => {
      const p = await readyPatron();
      const id = await insertReservation(p.id, 4, status);
      const { body } = await cancel(p.token, [id]);
      expect(body.results[0]).toMatchObject({ id, ok: false, error: { code: "invalid_state" } });
      expect((await reservationRow(id))?.status).toBe(status);
    },
  );

  it("answers not_found for another patron's reservation and leaves its row unchanged", async () => {
    const owner = await readyPatron();
    const other = await readyPatron();
    const id = await insertReservation(owner.id, 5, "applied");
    const { body } = await cancel(other.token, [id]);
    expect(body.results).toEqual([{ id, ok: false, status: null, error: { code: "not_found", message: expect.any(String) } }]);
    expect(await reservationRow(id)).toMatchObject({ patronId: owner.id, status: "applied" });
  });

  it("decides each ticked reservation on its own", async () => {
    const p = await readyPatron();
    const a = await insertReservation(p.id, 6, "applied");
    const h = await insertReservation(p.id, 7, "on_hold");
    const { body } = await cancel(p.token, [a, h, 987_654]);
    expect(body.results.map((r) => [r.id, r.ok])).toEqual([
      [a, true],
      [h, false],
      [987_654, false],
    ]);
  });

  it.each([
    ["an empty list", []],
    ["a non-number", ["x"]],
    ["a negative id", [-1]],
    ["no list", undefined],
  ])("answers 400 invalid_request for %s", async (_what, ids) => {
    const { token } = await readyPatron();
    const res = await cancel(token, ids);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
  });
});

describe("予約順位 (queue position)", () => {
  it("follows acceptance time, not application time", async () => {
    const materialId = classic(36);
    const t = Date.now() - 5 * 24 * 60 * 60 * 1000;
    const first = await readyPatron();
    const second = await readyPatron();
    const third = await readyPatron();
    // The first accepted applied last; the last accepted applied first.
    await insertReservation(first.id, materialId, "reserved", { appliedAt: t + 3000, acceptedAt: t + 10_000 });
    await insertReservation(second.id, materialId, "reserved", { appliedAt: t + 2000, acceptedAt: t + 20_000 });
    await insertReservation(third.id, materialId, "reserved", { appliedAt: t + 1000, acceptedAt: t + 30_000 });
    const positions = [];
    for (const p of [first, second, third]) {
      const { body } = await myReservations(p.token);
      const item = body.items.find((i) => i.materialId === materialId);
      expect(item).toMatchObject({ status: "reserved", statusLabel: "予約中", cancellable: true });
      expect(item?.acceptedAt).toMatch(ISO_TOKYO);
      positions.push(item?.queuePosition);
    }
    expect(positions).toEqual([1, 2, 3]);
  });

  it("has no queue position for statuses other than reserved", async () => {
    const p = await readyPatron();
    await insertReservation(p.id, classic(37), "on_hold", { holdUntil: "2026-12-10" });
    await insertReservation(p.id, classic(38), "rejected", { reasonCode: "over_limit" });
    const { body } = await myReservations(p.token);
    const byMaterial = new Map(body.items.map((i) => [i.materialId, i]));
    expect(byMaterial.get(37)).toMatchObject({ queuePosition: null, holdUntil: "2026-12-10", statusLabel: "お取り置き" });
    expect(byMaterial.get(37)?.cancellable).toBe(false);
    expect(byMaterial.get(38)).toMatchObject({
      queuePosition: null,
      reason: "予約できる冊数（窓口での予約を含めて10冊）を超えています。",
      statusLabel: "予約拒否",
    });
  });
});

describe("GET /api/v1/me/loans", () => {
  it("lists open loans with due dates and overdue flags; a returned loan is not listed; another patron sees none", async () => {
    const p = await readyPatron();
    const other = await readyPatron();
    const today = tokyoDate(Date.now());
    const loanedAt = Date.now() - 14 * 24 * 60 * 60 * 1000;
    const overdueItem = await itemOf(classic(24));
    const dueItem = await itemOf(classic(25));
    const returnedItem = await itemOf(classic(26));
    await insertLoan(p.id, overdueItem, { loanedAt, dueDate: addDays(today, -1) });
    await insertLoan(p.id, dueItem, { loanedAt, dueDate: addDays(today, 1) });
    await insertLoan(p.id, returnedItem, { loanedAt, dueDate: addDays(today, -3), returnedAt: Date.now() - 1000 });

    const { status, body } = await myLoans(p.token);
    expect(status).toBe(200);
    expect(body.asOf).toMatch(ISO_TOKYO);
    expect(body.items).toEqual([
      {
        itemId: overdueItem,
        materialId: 24,
        title: expect.any(String),
        loanedAt: expect.stringMatching(ISO_TOKYO),
        dueDate: addDays(today, -1),
        overdue: true,
        renewed: false,
      },
      {
        itemId: dueItem,
        materialId: 25,
        title: expect.any(String),
        loanedAt: expect.stringMatching(ISO_TOKYO),
        dueDate: addDays(today, 1),
        overdue: false,
        renewed: false,
      },
    ]);

    expect((await myLoans(other.token)).body.items).toEqual([]);
  });

  it("a loan due today is not overdue", async () => {
    const p = await readyPatron();
    await insertLoan(p.id, await itemOf(classic(27)), { loanedAt: Date.now() - 1000, dueDate: tokyoDate(Date.now()) });
    expect((await myLoans(p.token)).body.items[0]?.overdue).toBe(false);
  });
});

describe("isolation between patrons", () => {
  it("patron B's token never sees patron A's reservations, loans or cart", async () => {
    const a = await readyPatron();
    const b = await readyPatron();
    await insertReservation(a.id, classic(28), "reserved");
    await insertLoan(a.id, await itemOf(classic(29)), { loanedAt: Date.now() - 1000, dueDate: "2099-01-01" });
    await addItem(a.token, classic(30));

    expect((await myReservations(a.token)).body.items).toHaveLength(1);
    expect((await myLoans(a.token)).body.items).toHaveLength(1);
    expect((await getCart(a.token)).body.items).toHaveLength(1);

    expect((await myReservations(b.token)).body.items).toEqual([]);
    expect((await myLoans(b.token)).body.items).toEqual([]);
    expect((await getCart(b.token)).body.items).toEqual([]);
    const bMe = await api<{ cardNumber: string; activeReservations: number }>("/api/v1/me", withToken(b.token, "GET"));
    expect(bMe.body).toMatchObject({ cardNumber: b.cardNumber, activeReservations: 0 });
  });

  it("patron B cannot remove a line from patron A's cart", async () => {
    const a = await readyPatron();
    const b = await readyPatron();
    await addItem(a.token, classic(31));
    expect((await call(`/api/v1/cart/items/${classic(31)}`, withToken(b.token, "DELETE"))).status).toBe(204);
    expect((await getCart(a.token)).body.items.map((i) => i.materialId)).toEqual([31]);
  });

  it("a logged-in patron cannot apply for someone else by putting that patron's card number without the password", async () => {
    const a = await readyPatron();
    const victim = await createPatron({ mustChange: false, password: "Yomu2718" });
    await addItem(a.token, classic(32));
    const res = await api<ErrorBody>("/api/v1/cart/apply", withToken(a.token, "POST", { cardNumber: victim.cardNumber }));
    expect(res.status).toBe(400);
    expect(await reservationsInDb(victim.id)).toEqual([]);
    // The login helper stays usable for the victim.
    expect((await apiLogin(victim, freshAddress())).res.status).toBe(200);
  });
});
