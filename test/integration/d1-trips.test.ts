// Round trips to D1 per page, pinned: in production each is a network trip to the database, so a page's
// latency is their sum. Branches, the calendar and the catalog version come from the isolate's cache once
// warm; search reads its counts and both plans' pages (the one not taken costs nothing) in one batch;
// account pages read in one batch after the session lookup. Through the Worker's fetch with a D1 binding that counts.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { FIXTURES, loadCatalog } from "../support/catalog";
import { countingD1 } from "../support/d1-count";
import { BASE } from "../support/http";
import { cookiesFrom, createPatron, formPost, readyPatron, withToken } from "../support/patrons";

beforeAll(loadCatalog);

const { db, tally } = countingD1(env.DB);

/** The Worker with the counting D1; the catalog version trusted a minute, the edge cache on or off. */
function worked(cache: "on" | "off") {
  const vars = { DB: db, CATALOG_CHECK_SECONDS: "60", CATALOG_CACHE_SECONDS: cache === "on" ? "60" : "0" };
  const testEnv = { ...env, ...vars } as unknown as Env;
  return async (path: string, init?: RequestInit): Promise<{ status: number; trips: number; res: Response; sql: string[] }> => {
    const ctx = createExecutionContext();
    const before = tally.trips;
    const logged = tally.log.length;
    const res = await worker.fetch(new Request(`${BASE}${path}`, init), testEnv, ctx);
    await res.arrayBuffer();
    await waitOnExecutionContext(ctx);
    return { status: res.status, trips: tally.trips - before, res, sql: tally.log.slice(logged).map((s) => s.slice(0, 120)) };
  };
}

const uncached = worked("off");

describe("trips to D1 per page", () => {
  it("catalog pages: search, material and the top page one (its 新着資料), the calendar none once warm", async () => {
    // Warm: the isolate reads the catalog version and the branches once.
    await uncached("/");
    await uncached("/calendar?month=2026-12");
    const pinned: Array<[string, number]> = [
      // The newest arrivals; branches, today and the notices come from the isolate's cache.
      ["/", 1],
      ["/calendar?month=2026-12", 0],
      ["/new-arrivals", 1],
      ["/search?q=漱石", 1],
      ["/search?q=漱石&branch=kita", 1],
      ["/search?q=漱石&sort=newest", 1],
      ["/search?ndc=913", 1],
      ["/search?q=9784003101018", 1],
      // An ISBN nobody holds: the ISBN first, then the words.
      ["/search?q=9784101010014", 2],
      ["/search?q=存在しない言葉の並び", 1],
      [`/materials/${FIXTURES.coffee.id}`, 1],
      ["/api/v1/materials?q=漱石", 1],
      [`/api/v1/materials/${FIXTURES.coffee.id}`, 1],
      ["/api/v1/branches", 0],
      ["/api/v1/calendar?month=2026-12", 0],
    ];
    for (const [path, trips] of pinned) {
      const r = await uncached(path);
      expect(r.status, path).toBe(200);
      expect(r.trips, `${path}: ${r.sql.join(" | ")}`).toBe(trips);
    }
  });

  it("a large result read in ranking tiers stays at two", async () => {
    // 「の」 is in most titles: the search reads tiers in index order; a page past the title tier needs a
    // second trip, never more.
    const r = await uncached("/search?q=の&page=2");
    expect(r.status).toBe(200);
    expect(r.trips, r.sql.join(" | ")).toBeLessThanOrEqual(2);
  });

  it("account pages: the session, then one batch", async () => {
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    const login = await uncached("/login", formPost({ cardNumber: p.cardNumber, password: p.password }));
    expect(login.status).toBe(303);
    const cookie = cookiesFrom(login.res);
    for (const path of ["/account/reservations", "/account/loans", "/cart", "/account"]) {
      const r = await uncached(path, { headers: { Cookie: cookie } });
      expect(r.status, path).toBe(200);
      expect(r.trips, path).toBe(2);
    }
    const api = await readyPatron();
    for (const path of ["/api/v1/me/reservations", "/api/v1/me/loans", "/api/v1/cart"]) {
      const r = await uncached(path, withToken(api.token, "GET"));
      expect(r.status, path).toBe(200);
      expect(r.trips, path).toBe(2);
    }
  });

  it("a guest's cart is one trip; an anonymous page from the edge cache none", async () => {
    const cached = worked("on");
    const add = await uncached("/cart/items", formPost({ materialId: String(FIXTURES.coffee.id), pickupBranch: "central" }));
    const guest = cookiesFrom(add.res);
    expect((await uncached("/cart", { headers: { Cookie: guest } })).trips).toBe(1);
    await cached("/search?q=芥川");
    await cached("/search?q=芥川");
    expect((await cached("/search?q=芥川")).trips).toBe(0);
    // Rendered twice (stored the second time), then served without D1.
    expect((await cached(`/materials/${FIXTURES.kamishibai.id}`)).trips).toBe(1);
    expect((await cached(`/materials/${FIXTURES.kamishibai.id}`)).trips).toBe(1);
    expect((await cached(`/materials/${FIXTURES.kamishibai.id}`)).trips).toBe(0);
  });
});
