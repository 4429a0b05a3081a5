// A missing or weak secret gives a clear message naming it (never its value) and nothing is written
// with it; staff see the configuration's health on the status page and in GET /admin/status.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { runJob } from "../../src/jobs/run";
import { loadCatalog } from "../support/catalog";
import { BASE, call } from "../support/http";
import { cookiesFrom, formPost } from "../support/patrons";

beforeAll(loadCatalog);

async function fetchWith(overrides: Partial<Record<keyof Env, unknown>>, path: string, init?: RequestInit) {
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

  it("shows each job's last run: when, how long, counts, and why an unfinished one stopped", async () => {
    const lines: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((line: string) => void lines.push(String(line)));
    const err = vi.spyOn(console, "error").mockImplementation((line: string) => void lines.push(String(line)));
    try {
      await runJob(env, "nightly", { date: "2026-12-01", now: Date.now() });
      // The next night's refresh fails midway (its one batch refused): the run stays unfinished with the reason.
      const failing = new Proxy(env.DB, {
        get: (target, key) =>
          key === "batch"
            ? () => Promise.reject(new Error("D1_ERROR: simulated outage"))
            : (Reflect.get(target, key) as (...a: unknown[]) => unknown).bind(target),
      });
      await expect(runJob({ ...env, DB: failing }, "nightly", { date: "2026-12-02", now: Date.now() })).rejects.toThrow(
        "simulated outage",
      );
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
    const res = await fetchWith({}, "/api/v1/admin/status", { headers: { Authorization: "Bearer test-admin-token" } });
    const body = (await res.json()) as {
      environment: string;
      jobs: Array<{ job: string; businessDate: string; state: string; error: string | null; durationMs: number | null }>;
      database: { bytes: number | null; limitBytes: number };
      queues: { mail: unknown; imports: unknown };
      configuration: { mailProvider: { configured: boolean } };
    };
    expect(body.environment).toBe("local");
    expect(body.jobs.find((j) => j.job === "nightly")).toMatchObject({
      businessDate: "2026-12-02",
      state: "failed",
      error: "Error: D1_ERROR: simulated outage",
      durationMs: null,
    });
    expect(body.database.limitBytes).toBe(10 * 1024 ** 3);
    expect(body.database.bytes === null || body.database.bytes > 0).toBe(true);
    expect(body.configuration.mailProvider.configured).toBe(false);
    expect(body.queues).toHaveProperty("mail");

    // One JSON line per run, with counts and dates only.
    const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => [e.event, e.businessDate])).toEqual([
      ["job.finished", "2026-12-01"],
      ["job.failed", "2026-12-02"],
    ]);
    expect(events[0]).toMatchObject({ job: "nightly", durationMs: expect.any(Number), holdsExpired: expect.any(Number) });

    const cookie = cookiesFrom(await call("/admin/login", formPost({ staffName: "山田", token: "test-admin-token" })));
    const html = await (await call("/admin/status", { headers: { Cookie: cookie } })).text();
    expect(html).toContain("中断（次の実行で続きから）：Error: D1_ERROR: simulated outage");
    expect(html).toContain("データベース");
  });

  it("checks the mail provider answers (a HEAD, nothing sent) and names a missing MAIL_API_KEY", async () => {
    const status = async (overrides: Partial<Record<keyof Env, unknown>>) =>
      (await (
        await fetchWith(overrides, "/api/v1/admin/status", { headers: { Authorization: "Bearer test-admin-token" } })
      ).json()) as {
        configuration: {
          ok: boolean;
          problems: Array<{ name: string }>;
          mailProvider: { reachable: boolean | null; detail?: string };
        };
      };
    const provider = { MAIL_PROVIDER_URL: "https://api.resend.com", MAIL_API_KEY: "re_test_key_123" };
    const down = vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("Network connection lost."));
    try {
      const body = await status(provider);
      expect(body.configuration.ok).toBe(false);
      expect(body.configuration.mailProvider).toMatchObject({ reachable: false, detail: "Network connection lost." });
    } finally {
      down.mockRestore();
    }
    const up = vi.spyOn(globalThis, "fetch").mockResolvedValue(new Response(null, { status: 405 }));
    try {
      const body = await status(provider);
      expect(body.configuration).toMatchObject({ ok: true, mailProvider: { reachable: true, detail: "HTTP 405" } });
      expect(up.mock.calls[0]?.[1]).toMatchObject({ method: "HEAD" });
      const noKey = await status({ ...provider, MAIL_API_KEY: "" });
      expect(noKey.configuration.problems.map((p) => p.name)).toContain("MAIL_API_KEY");
    } finally {
      up.mockRestore();
    }
  });
});
