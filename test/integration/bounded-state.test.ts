// Anonymous requests leave nothing that grows without bound: guest carts are bounded per client address
// (and expire), and a guessed card number's failure count is deleted by the object's alarm after the quiet hour.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { GUEST_CARTS_PER_ADDRESS_PER_DAY } from "../../src/features/cart/queries";
import { patronObject } from "../../src/objects/patron";
import { loadCatalog } from "../support/catalog";
import { call } from "../support/http";

beforeAll(loadCatalog);

const addFromNewGuest = (address: string) =>
  call("/api/v1/cart/items", {
    method: "POST",
    headers: { "content-type": "application/json", "CF-Connecting-IP": address },
    body: JSON.stringify({ materialId: 1, pickupBranch: "central" }),
  });

describe("guest carts", () => {
  it(`one address starts at most ${GUEST_CARTS_PER_ADDRESS_PER_DAY} a day; then 429 rate_limited with Retry-After`, async () => {
    for (let k = 0; k < GUEST_CARTS_PER_ADDRESS_PER_DAY; k++) expect((await addFromNewGuest("198.51.100.7")).status).toBe(201);
    const refused = await addFromNewGuest("198.51.100.7");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBeTruthy();
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
    const carts = await env.DB.prepare(
      "SELECT count(*) AS n FROM carts WHERE patron_id IS NULL AND address_key IS NOT NULL",
    ).first<{ n: number }>();
    expect(carts?.n).toBe(GUEST_CARTS_PER_ADDRESS_PER_DAY);
    // Another household is not affected, and one IPv6 /64 counts as one address.
    expect((await addFromNewGuest("203.0.113.9")).status).toBe(201);
  });

  it("guest carts carry an expiry (the nightly refresh deletes them after a week)", async () => {
    const row = await env.DB.prepare("SELECT min(expires_at) AS e FROM carts WHERE patron_id IS NULL").first<{ e: number }>();
    expect(row?.e).toBeGreaterThan(Date.now());
  });
});

describe("a guessed card number", () => {
  it("leaves a failure count that the object's alarm deletes after the quiet hour", async () => {
    const stub = patronObject(env, "2999999999");
    const twoHoursAgo = Date.now() - 2 * 60 * 60 * 1000;
    // A count whose quiet hour is already over: its alarm is due at once (and may already have run).
    expect(await stub.beginAttempt(twoHoursAgo)).toBe(0);
    await runDurableObjectAlarm(stub);
    await runInDurableObject(stub, async (_instance, state) => {
      expect((await state.storage.list()).size).toBe(0);
      expect(await state.storage.getAlarm()).toBeNull();
    });
  });

  it("a recent count survives the alarm (it is rescheduled), so throttling still holds", async () => {
    const stub = patronObject(env, "2999999998");
    await stub.beginAttempt(Date.now());
    await runDurableObjectAlarm(stub);
    await runInDurableObject(stub, async (_instance, state) => {
      expect(await state.storage.get("login-failures")).toBeDefined();
      expect(await state.storage.getAlarm()).not.toBeNull();
    });
  });
});
