// D1 read replication through the Sessions API: where each request's session starts, and the bookmark
// a browser keeps after its writes so its next read sees them (also after a Durable Object wrote).
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { laterBookmark } from "../../src/db/session";
import worker from "../../src/index";
import { FIXTURES, loadCatalog } from "../support/catalog";
import { BASE } from "../support/http";
import { cookiesFrom, createPatron, formPost } from "../support/patrons";

beforeAll(loadCatalog);

/** The Worker with a D1 binding that records where each session starts. */
function recorded() {
  const starts: string[] = [];
  const db = new Proxy(env.DB, {
    get(target, key) {
      if (key === "withSession")
        return (start: string) => {
          starts.push(start);
          return target.withSession(start);
        };
      const v = Reflect.get(target, key);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  const testEnv = { ...env, DB: db, CATALOG_CACHE_SECONDS: "0" } as unknown as Env;
  return {
    starts,
    async fetch(path: string, init?: RequestInit) {
      const ctx = createExecutionContext();
      const res = await worker.fetch(new Request(`${BASE}${path}`, init), testEnv, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    },
  };
}

const bookmarkOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .find((c) => c.startsWith("__Host-d1-bookmark="))
    ?.split(";")[0]
    ?.split("=")[1];

describe("where a request's session starts", () => {
  it("anonymous reads anywhere; writes, staff and bearer clients at the primary", async () => {
    const w = recorded();
    await w.fetch("/search?q=漱石");
    await w.fetch(`/api/v1/materials/${FIXTURES.coffee.id}`);
    await w.fetch("/api/v1/admin/status", { headers: { Authorization: "Bearer test-admin-token" } });
    await w.fetch("/api/v1/me", { headers: { Authorization: "Bearer some-token" } });
    await w.fetch("/cart/items", formPost({ materialId: String(FIXTURES.coffee.id), pickupBranch: "central" }));
    expect(w.starts).toEqual(["first-unconstrained", "first-unconstrained", "first-primary", "first-primary", "first-primary"]);
  });

  it("a browser that wrote reads after its bookmark; a malformed bookmark is ignored", async () => {
    const w = recorded();
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    const login = await w.fetch("/login", formPost({ cardNumber: p.cardNumber, password: p.password }));
    expect(login.status).toBe(303);
    const bookmark = bookmarkOf(login);
    expect(bookmark).toMatch(/^[0-9a-f-]{16,}$/);
    const cookie = cookiesFrom(login);
    expect((await w.fetch("/account/reservations", { headers: { Cookie: cookie } })).status).toBe(200);
    expect(w.starts.at(-1)).toBe(bookmark);
    // A write, even from a browser with a bookmark, starts at the primary.
    await w.fetch("/cart/items", formPost({ materialId: "2", pickupBranch: "central" }, cookie));
    expect(w.starts.at(-1)).toBe("first-primary");
    await w.fetch("/account", {
      headers: { Cookie: `${cookie.replace(/__Host-d1-bookmark=[^;]*/, "")}; __Host-d1-bookmark=x'; DROP` },
    });
    expect(w.starts.at(-1)).toBe("first-unconstrained");
  });

  it("after an apply through the Durable Object, the bookmark covers the object's writes", async () => {
    const w = recorded();
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    let cookie = cookiesFrom(await w.fetch("/login", formPost({ cardNumber: p.cardNumber, password: p.password })));
    const before = /__Host-d1-bookmark=([^;]*)/.exec(cookie)?.[1];
    cookie = cookiesFrom(await w.fetch("/cart/items", formPost({ materialId: "1", pickupBranch: "central" }, cookie)), cookie);
    const applied = await w.fetch("/cart/apply", formPost({}, cookie));
    expect(applied.status).toBe(303);
    const after = bookmarkOf(applied);
    expect(after).toBeDefined();
    expect((after as string) >= (before as string)).toBe(true);
    // The next page, read after that bookmark, shows the reservation.
    const page = await w.fetch("/account/reservations", { headers: { Cookie: cookiesFrom(applied, cookie) } });
    expect(w.starts.at(-1)).toBe(after);
    expect(await page.text()).toContain("予約申請中");
  });

  it("laterBookmark takes the later of two (D1 bookmarks sort oldest to newest)", () => {
    expect(laterBookmark("00000001-0000", "00000002-0000")).toBe("00000002-0000");
    expect(laterBookmark("00000003-0000", null)).toBe("00000003-0000");
    expect(laterBookmark(undefined, null)).toBeNull();
  });
});
