// Shed, don't queue: per client address, catalog reads and login/cart/apply have budgets of the Rate
// Limiting binding; over them a request answers 429 with Retry-After and changes nothing.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { budgetOf } from "../../src/http/shed";
import { loadCatalog } from "../support/catalog";
import { call } from "../support/http";

beforeAll(loadCatalog);

const from = (address: string, init: RequestInit = {}) => ({
  ...init,
  headers: { ...(init.headers as Record<string, string>), "CF-Connecting-IP": address },
});

// The limiter counts in fixed windows (10 s, 60 s) aligned to the clock: a burst that happens to straddle a
// window's end is split between two windows and meets no 429. Such a run is retried (twice at most), each
// attempt from addresses of its own (the first attempt's spent budget must not fail the next).
let attempt = 0;
describe("load shedding", { retry: 2 }, () => {
  beforeEach(() => {
    attempt += 1;
  });

  it("spends the catalog budget on search and detail, the action budget on login, cart and apply", () => {
    expect(budgetOf("GET", "/search")?.binding).toBe("BROWSE_LIMITER");
    expect(budgetOf("GET", "/api/v1/materials")?.binding).toBe("BROWSE_LIMITER");
    expect(budgetOf("GET", "/materials/12")?.binding).toBe("BROWSE_LIMITER");
    expect(budgetOf("POST", "/api/v1/session")?.binding).toBe("ACTION_LIMITER");
    expect(budgetOf("POST", "/cart/apply")?.binding).toBe("ACTION_LIMITER");
    expect(budgetOf("POST", "/api/v1/cart/items")?.binding).toBe("ACTION_LIMITER");
    expect(budgetOf("GET", "/")).toBeUndefined();
    expect(budgetOf("GET", "/account/reservations")).toBeUndefined();
  });

  it("answers a burst past 30 searches from one address with 429, Retry-After and a Japanese page; others go on", async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 34; i++) {
      last = await call("/search?q=%E7%8C%AB", from(`198.51.${attempt}.7`));
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    expect(last?.headers.get("retry-after")).toBe("10");
    expect(await last?.text()).toContain("アクセスが集中しているため");
    // The same /64 of IPv6 is one client; another address is not affected.
    expect((await call("/search?q=%E7%8C%AB", from(`203.0.${attempt}.9`))).status).toBe(200);
  });

  it("answers the API with the contract's error JSON", async () => {
    let res: Response | undefined;
    for (let i = 0; i < 32; i++) res = await call("/api/v1/materials?q=%E7%8C%AB", from(`2001:db8:${attempt}:2::5`));
    expect(res?.status).toBe(429);
    expect(res?.headers.get("retry-after")).toBe("10");
    expect(await res?.json()).toMatchObject({ error: { code: "rate_limited" } });
    const sibling = await call("/api/v1/materials?q=%E7%8C%AB", from(`2001:db8:${attempt}:2::abcd`));
    expect(sibling.status).toBe(429);
  });

  it("limits logins and cart actions to 30 a minute per address", async () => {
    const codes: string[] = [];
    for (let i = 0; i < 32; i++) {
      const res = await call(
        "/api/v1/session",
        from(`192.0.${attempt}.200`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ cardNumber: `29000000${String(i).padStart(2, "0")}`, password: "wrong1" }),
        }),
      );
      codes.push(
        res.status === 429 ? (((await res.json()) as { error: { code: string } }).error.code as string) : String(res.status),
      );
    }
    expect(codes.at(-1)).toBe("rate_limited");
  });
});
