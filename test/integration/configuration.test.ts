// A missing or weak secret gives a clear message naming it (never its value) and nothing is written
// with it; staff see the configuration's health on the status page and in GET /admin/status.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { loadCatalog } from "../support/catalog";
import { BASE, call } from "../support/http";
import { cookiesFrom, formPost } from "../support/patrons";

beforeAll(loadCatalog);

async function fetchWith(overrides: Partial<Env>, path: string, init?: RequestInit) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${BASE}${path}`, init), { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const json = (body: unknown) => ({
  method: "POST",
  headers: { Authorization: "Bearer test-admin-token", "content-type": "application/json" },
  body: JSON.stringify(body),
});

describe("missing secrets", () => {
  it("registering web use without PASSWORD_PEPPER answers 503 naming it, and writes no patron", async () => {
    const card = "2199990001";
    const res = await fetchWith(
      { PASSWORD_PEPPER: "" },
      "/api/v1/admin/patrons",
      json({ name: "設定 太郎", email: "a@example.jp", cardNumber: card }),
    );
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("configuration_error");
    expect(body.error.message).toContain("PASSWORD_PEPPER");
    const row = await env.DB.prepare("SELECT id FROM patrons WHERE card_number = ?").bind(card).first();
    expect(row).toBeNull();
  });

  it("a login without PASSWORD_PEPPER answers 503, not 500", async () => {
    const res = await fetchWith({ PASSWORD_PEPPER: "" }, "/api/v1/session", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ cardNumber: "2100000001", password: "kari0001" }),
    });
    expect(res.status).toBe(503);
  });

  it("the staff login page says ADMIN_TOKEN is not set", async () => {
    const res = await fetchWith({ ADMIN_TOKEN: "" }, "/admin/login", formPost({ staffName: "山田", token: "" }));
    expect(res.status).toBe(503);
    expect(await res.text()).toContain("ADMIN_TOKEN が設定されていません");
  });
});

describe("the status page", () => {
  it("GET /admin/status names a weak secret without showing its value", async () => {
    const res = await fetchWith({ PASSWORD_PEPPER: "zq7" }, "/api/v1/admin/status", {
      headers: { Authorization: "Bearer test-admin-token" },
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    const body = JSON.parse(text) as { configuration: { ok: boolean; problems: Array<{ name: string }> }; mail: object };
    expect(body.configuration.ok).toBe(false);
    expect(body.configuration.problems.map((p) => p.name)).toEqual(["PASSWORD_PEPPER"]);
    expect(text).not.toContain("zq7");
    expect(body.mail).toMatchObject({ waiting: expect.any(Number), dead: expect.any(Number) });
  });

  it("says all is well when it is, on the staff page too", async () => {
    const cookie = cookiesFrom(await call("/admin/login", formPost({ staffName: "山田", token: "test-admin-token" })));
    const html = await (await call("/admin/status", { headers: { Cookie: cookie } })).text();
    expect(html).toContain("設定に問題はありません");
    expect(html).not.toContain("test-pepper");
  });
});
