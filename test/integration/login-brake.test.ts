// The library-wide brake on failed logins, and wrong staff tokens counted per client address.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { BRAKE_MS, brakeMs, GLOBAL_FAILURES_PER_MINUTE } from "../../src/domain/throttle";
import { loadCatalog } from "../support/catalog";
import { call } from "../support/http";
import { createPatron } from "../support/patrons";

beforeAll(loadCatalog);

const login = (cardNumber: string, password: string, address: string) =>
  call("/api/v1/session", {
    method: "POST",
    headers: { "content-type": "application/json", "CF-Connecting-IP": address },
    body: JSON.stringify({ cardNumber, password }),
  });

describe("brakeMs", () => {
  it("pauses failures only past the minute's threshold", () => {
    expect(brakeMs(GLOBAL_FAILURES_PER_MINUTE)).toBe(0);
    expect(brakeMs(GLOBAL_FAILURES_PER_MINUTE + 1)).toBe(BRAKE_MS);
  });
});

describe("the library-wide brake", () => {
  it("slows failed attempts that change card, address and password every time, never a correct password", async () => {
    const patron = await createPatron({ mustChange: false, password: "abcd7391" });
    // The failures are counted per clock minute: on a slow machine the attempts could straddle two
    // minutes and split the count, so the loop starts at the beginning of a minute.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 20_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 100));
    const waits: number[] = [];
    const spy = vi.spyOn(scheduler, "wait").mockImplementation(async (ms: number) => {
      waits.push(ms);
    });
    for (let k = 0; k < GLOBAL_FAILURES_PER_MINUTE + 5; k++) {
      const res = await login(`28${String(100000 + k).padStart(8, "0")}`, `pw${k}x${k}`, `192.0.2.${k + 1}`);
      expect(res.status).toBe(401);
    }
    const beforeCorrect = waits.length;
    const ok = await login(patron.cardNumber, "abcd7391", "198.51.100.200");
    spy.mockRestore();
    expect(waits.filter((ms) => ms === BRAKE_MS).length).toBeGreaterThanOrEqual(5);
    expect(ok.status).toBe(200);
    expect(waits.length).toBe(beforeCorrect);
  }, 120_000);
});

describe("wrong staff tokens", () => {
  it("are counted per address: after 10 the address waits (429), another address does not", async () => {
    const admin = (token: string, address: string) =>
      call("/api/v1/admin/mail", { headers: { Authorization: `Bearer ${token}`, "CF-Connecting-IP": address } });
    for (let k = 0; k < 10; k++) expect((await admin(`guess-${k}`, "192.0.2.250")).status).toBe(401);
    const refused = await admin(`guess-x`, "192.0.2.250");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBeTruthy();
    expect((await admin("test-admin-token", "192.0.2.251")).status).toBe(200);
    const row = await env.DB.prepare("SELECT failures FROM auth_throttle WHERE key = 'staff:192.0.2.250'").first<{
      failures: number;
    }>();
    expect(row?.failures).toBeGreaterThanOrEqual(10);
  });
});
