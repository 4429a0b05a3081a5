// The edge cache for anonymous catalog pages: the same page for everyone without a session or cart, never
// a person's page for another, a staff change on the very next read, and stale pages rendered again
// behind the answer. Through the Worker's fetch, against the local Cache API.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { cacheKey } from "../../src/features/catalog/edge-cache";
import { FIXTURES, loadCatalog } from "../support/catalog";
import { BASE, call } from "../support/http";
import { cookiesFrom, createPatron, formPost } from "../support/patrons";

beforeAll(loadCatalog);

const staff = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { Authorization: "Bearer test-admin-token", "content-type": "application/json" },
  body: JSON.stringify(body),
});

/** A browser session of a patron who can use the web (cookie header). */
async function browserSession(): Promise<string> {
  const p = await createPatron({ mustChange: false, password: "Yomu2718" });
  const res = await call("/login", formPost({ cardNumber: p.cardNumber, password: p.password }));
  expect(res.status).toBe(303);
  return cookiesFrom(res);
}

const get = (path: string, headers: Record<string, string> = {}) => call(path, { headers });

/** A page is stored the second time it is asked for (one-off addresses cost no cache write). */
async function stored(path: string, headers: Record<string, string> = {}) {
  await (await get(path, headers)).arrayBuffer();
  await (await get(path, headers)).arrayBuffer();
}

describe("anonymous catalog pages", () => {
  it("are rendered once and then served from the cache, saying when they were rendered", async () => {
    const first = await get("/search?q=漱石");
    expect(first.status).toBe(200);
    expect(first.headers.get("X-Cache")).toBe("MISS");
    expect(first.headers.get("Last-Modified")).toBeTruthy();
    await first.arrayBuffer();
    // Asked for again: rendered again, and stored this time.
    const again = await get("/search?q=漱石");
    expect(again.headers.get("X-Cache")).toBe("MISS");
    const page = await again.text();
    expect(page).toMatch(/\d+月\d+日 \d+時\d{2}分現在/);
    const second = await get("/search?q=漱石");
    expect(second.headers.get("X-Cache")).toBe("HIT");
    expect(await second.text()).toBe(page);
    // Browsers still keep no copy; the query's order does not make a second entry.
    expect(second.headers.get("Cache-Control")).toBe("private, no-store");
    await stored("/search?sort=relevance&q=漱石");
    expect((await get("/search?q=漱石&sort=relevance")).headers.get("X-Cache")).toBe("HIT");
  });

  it("keeps the htmx fragment apart from the page of the same address", async () => {
    await stored("/search?q=芥川");
    const fragment = await get("/search?q=芥川", { "HX-Request": "true" });
    expect(fragment.headers.get("X-Cache")).toBe("MISS");
    await fragment.arrayBuffer();
    const rendered = await get("/search?q=芥川", { "HX-Request": "true" });
    const html = await rendered.text();
    expect(html).not.toContain("<html");
    const again = await get("/search?q=芥川", { "HX-Request": "true" });
    expect(again.headers.get("X-Cache")).toBe("HIT");
    expect(await again.text()).toBe(html);
    expect(await (await get("/search?q=芥川")).text()).toContain("<html");
  });

  it("caches the material page, the calendar, the top page and their JSON; never an error", async () => {
    for (const path of [
      "/",
      `/materials/${FIXTURES.coffee.id}`,
      "/calendar?month=2026-12",
      "/api/v1/branches",
      "/api/v1/materials/1",
    ]) {
      expect((await get(path)).headers.get("X-Cache"), path).toBe("MISS");
      expect((await get(path)).headers.get("X-Cache"), path).toBe("MISS");
      expect((await get(path)).headers.get("X-Cache"), path).toBe("HIT");
    }
    for (const path of ["/materials/999999", "/search?yearFrom=abc"]) {
      expect((await get(path)).status).toBeGreaterThanOrEqual(400);
      expect((await get(path)).headers.get("X-Cache"), path).toBe("MISS");
    }
  });
});

describe("people", () => {
  it("two patrons and a guest with a cart are never served from the cache nor stored in it", async () => {
    const path = `/materials/${FIXTURES.kamishibai.id}`;
    const a = await browserSession();
    const b = await browserSession();
    // A guest's cart: adding to it sets the cart cookie.
    const added = await call("/cart/items", formPost({ materialId: String(FIXTURES.coffee.id), pickupBranch: "central" }));
    const guest = cookiesFrom(added);
    expect(guest).toContain("__Host-cart=");
    for (const cookie of [a, b, guest]) {
      const res = await get(path, { Cookie: cookie });
      expect(res.status).toBe(200);
      expect(res.headers.get("X-Cache")).toBeNull();
    }
    // Nothing they were shown was stored: the first anonymous reader renders the page.
    expect((await get(path)).headers.get("X-Cache")).toBe("MISS");
    // And a cached anonymous page is not what a patron gets.
    expect((await get(path, { Cookie: a })).headers.get("X-Cache")).toBeNull();
    expect((await get(path, { Authorization: "Bearer whatever" })).headers.get("X-Cache")).toBeNull();
    // Each cart is its owner's own.
    const cartA = await (await get("/cart", { Cookie: a })).text();
    const cartGuest = await (await get("/cart", { Cookie: guest })).text();
    expect(cartGuest).toContain(FIXTURES.coffee.title);
    expect(cartA).not.toContain(FIXTURES.coffee.title);
    expect(b).not.toBe(a);
  });
});

describe("staff changes", () => {
  it("a retitled material shows on the next read, though its page was cached", async () => {
    const path = `/materials/${FIXTURES.punctuated.id}`;
    await stored(path);
    expect((await get(path)).headers.get("X-Cache")).toBe("HIT");
    const patched = await call(`/api/v1/admin/materials/${FIXTURES.punctuated.id}`, staff("PATCH", { title: "レ・ミゼラブル" }));
    expect(patched.status).toBe(200);
    const next = await get(path);
    expect(next.headers.get("X-Cache")).toBe("MISS");
    expect(await next.text()).toContain("レ・ミゼラブル");
    // Searches cached before the change are not served either.
    expect((await get("/search?q=ミゼラブル")).headers.get("X-Cache")).toBe("MISS");
  });

  it("a new branch and a changed opening day show at once", async () => {
    await stored("/api/v1/branches");
    expect((await get("/api/v1/branches")).headers.get("X-Cache")).toBe("HIT");
    expect((await call("/api/v1/admin/branches", staff("POST", { code: "hama", name: "浜分室", pickup: true }))).status).toBe(
      201,
    );
    const branches = await get("/api/v1/branches");
    expect(branches.headers.get("X-Cache")).toBe("MISS");
    expect(JSON.stringify(await branches.json())).toContain("浜分室");
    await stored("/api/v1/calendar?month=2027-01");
    const day = await call("/api/v1/admin/calendar/2027-01-05", staff("PUT", { open: false }));
    expect(day.status).toBe(200);
    const calendar = (await (await get("/api/v1/calendar?month=2027-01")).json()) as {
      days: Array<{ date: string; open: boolean }>;
    };
    expect(calendar.days.find((d) => d.date === "2027-01-05")?.open).toBe(false);
  });

  it("a copy added by staff shows on the next read", async () => {
    const path = `/materials/${FIXTURES.noCopies.id}`;
    await stored(path);
    expect(await (await get(path)).text()).toContain("所蔵がありません");
    const copy = await call(
      "/api/v1/admin/items",
      staff("POST", { materialId: FIXTURES.noCopies.id, branch: "central", barcode: "CACHE0001", loanable: true }),
    );
    expect(copy.status).toBe(201);
    expect(await (await get(path)).text()).not.toContain("所蔵がありません");
  });
});

describe("stale pages", () => {
  it("are served once more while a fresh rendering replaces them", async () => {
    const path = "/search?q=コーヒー";
    const { version } = (await env.DB.prepare("SELECT version FROM catalog_version").first<{ version: number }>()) ?? {
      version: 0,
    };
    // A copy rendered long ago (older than CATALOG_CACHE_SECONDS) under the current version.
    const key = cacheKey(new URL(`${BASE}${path}`), version, false);
    await caches.default.put(
      key,
      new Response("<p>old rendering</p>", {
        headers: {
          "content-type": "text/html",
          "Cache-Control": "public, max-age=600",
          "X-Stored-At": String(Date.now() - 90_000),
        },
      }),
    );
    const stale = await get(path);
    expect(stale.headers.get("X-Cache")).toBe("STALE");
    expect(Number(stale.headers.get("Age"))).toBeGreaterThanOrEqual(90);
    expect(await stale.text()).toBe("<p>old rendering</p>");
    // The fresh rendering was stored behind that answer.
    const fresh = await get(path);
    expect(fresh.headers.get("X-Cache")).toBe("HIT");
    expect(await fresh.text()).toContain(FIXTURES.coffee.title);
  });
});
