// Login hardening found in review: limits that an attacker could turn against patrons, and the first change.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { loadCatalog } from "../support/catalog";
import { call } from "../support/http";
import { apiLogin, createPatron, withToken } from "../support/patrons";

beforeAll(loadCatalog);
// These tests fail many logins on purpose; the library-wide brake's pause (tested in login-brake.test.ts)
// would only slow them down, so it returns at once here.
beforeAll(() => {
  vi.spyOn(scheduler, "wait").mockResolvedValue(undefined);
});

const cardFailures = async (cardNumber: string) => {
  const { runInDurableObject } = await import("cloudflare:test");
  const stub = env.PATRON.get(env.PATRON.idFromName(cardNumber));
  return runInDurableObject(
    stub,
    async (_o, state) => (await state.storage.get<{ failures: number }>("login-failures"))?.failures ?? 0,
  );
};

describe("login limits", () => {
  it("an address that is already refused cannot push a card's count up", async () => {
    const address = "198.51.100.77";
    for (let i = 0; i < 20; i++) {
      const p = await createPatron();
      await apiLogin({ cardNumber: p.cardNumber, password: "wrong123" }, address);
    }
    const victim = await createPatron();
    const { res } = await apiLogin({ cardNumber: victim.cardNumber, password: "wrong123" }, address);
    expect(res.status).toBe(429);
    expect(await cardFailures(victim.cardNumber)).toBe(0);
    const own = await apiLogin(victim, "198.51.100.78");
    expect(own.res.status).toBe(200);
  });

  it("one IPv6 /64 counts as one address, so rotating addresses inside it does not escape the limit", async () => {
    let last = 0;
    for (let i = 1; i <= 22; i++) {
      const p = await createPatron();
      const { res } = await apiLogin({ cardNumber: p.cardNumber, password: `x${i}y${i}z` }, `2001:db8:77:1::${i.toString(16)}`);
      last = res.status;
    }
    expect(last).toBe(429);
  });

  it("a patron holding a temporary-credentials session can still log in again (e.g. as someone else)", async () => {
    const a = await createPatron();
    const b = await createPatron({ mustChange: false, password: "Hako2468" });
    const { body } = await apiLogin(a);
    const res = await call("/api/v1/session", {
      method: "POST",
      headers: { Authorization: `Bearer ${body.token}`, "content-type": "application/json", "CF-Connecting-IP": "192.0.2.9" },
      body: JSON.stringify({ cardNumber: b.cardNumber, password: b.password }),
    });
    expect(res.status).toBe(200);
  });
});

describe("the first change of credentials", () => {
  it("must replace the temporary e-mail address", async () => {
    const p = await createPatron();
    const { body } = await apiLogin(p, "192.0.2.10");
    const me = (await (await call("/api/v1/me", withToken(body.token as string, "GET"))).json()) as { email: string };
    const res = await call(
      "/api/v1/me/credentials",
      withToken(body.token as string, "PUT", {
        currentPassword: p.password,
        email: me.email,
        emailConfirm: me.email,
        password: "Hon4826q",
        passwordConfirm: "Hon4826q",
        contactMethod: "mail",
      }),
    );
    expect(res.status).toBe(400);
    const err = (await res.json()) as { error: { fields: Record<string, string> } };
    expect(err.error.fields.email).toMatch(/仮のメールアドレス/);
  });
});
