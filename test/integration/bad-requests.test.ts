// Bodies the service cannot or must not read are refused cleanly and change nothing: malformed JSON or
// forms (400), other media types on JSON routes (415), empty PATCHes (400), oversized bodies (413); a
// made-up bearer token does not lift the cross-site rule; mail links never follow the Host header.
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { NotifyMessage } from "../../src/mail/messages";
import { loadCatalog } from "../support/catalog";
import { BASE, call } from "../support/http";
import { cookiesFrom, createPatron, formPost } from "../support/patrons";
import { insertReservation, itemOf } from "../support/rows";

beforeAll(loadCatalog);

const ADMIN = { Authorization: "Bearer test-admin-token" };
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;
const jobRuns = async () => (await env.DB.prepare("SELECT count(*) AS n FROM job_runs").first<{ n: number }>())?.n ?? 0;

describe("malformed bodies", () => {
  it.each([
    ["POST", "/api/v1/session", {}],
    ["POST", "/api/v1/cart/items", {}],
    ["POST", "/api/v1/admin/materials", ADMIN],
    ["PATCH", "/api/v1/admin/items/1", ADMIN],
    ["POST", "/api/v1/admin/jobs/acceptance", ADMIN],
  ])("%s %s with broken JSON answers 400 invalid_request", async (method, path, headers) => {
    for (const body of ['{"a":', "", "[1,"]) {
      const before = await jobRuns();
      const res = await call(path, { method, headers: { ...headers, "content-type": "application/json" }, body });
      expect(res.status).toBe(400);
      expect((await errorOf(res)).code).toBe("invalid_request");
      expect(await jobRuns()).toBe(before);
    }
  });

  it("a broken multipart login form gets the Japanese message, not a 500", async () => {
    const res = await call("/login", {
      method: "POST",
      headers: { Origin: BASE, "content-type": "multipart/form-data; boundary=zz" },
      body: "--zz\r\nContent-Disposition: form-data; name=",
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("送信された内容を読み取れませんでした");
  });
});

describe("JSON routes take only JSON", () => {
  it("a text/plain acceptance request answers 415 and does not run (or use up) the day's acceptance", async () => {
    const before = await jobRuns();
    const res = await call("/api/v1/admin/jobs/acceptance", {
      method: "POST",
      headers: { ...ADMIN, "content-type": "text/plain" },
      body: JSON.stringify({ date: "2026-11-20" }),
    });
    expect(res.status).toBe(415);
    expect((await errorOf(res)).code).toBe("unsupported_media_type");
    expect(await jobRuns()).toBe(before);
  });

  it.each(["/api/v1/admin/items/1", "/api/v1/admin/patrons/2100000001"])("a form-encoded PATCH %s answers 415", async (path) => {
    const res = await call(path, {
      method: "PATCH",
      headers: { ...ADMIN, "content-type": "application/x-www-form-urlencoded" },
      body: "status=missing",
    });
    expect(res.status).toBe(415);
  });

  it("an empty PATCH changes nothing and says so", async () => {
    const itemId = await itemOf(40);
    const before = await env.DB.prepare("SELECT status, loanable, updated_at FROM items WHERE id = ?").bind(itemId).first();
    const res = await call(`/api/v1/admin/items/${itemId}`, {
      method: "PATCH",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(400);
    const error = (await res.json()) as { error: { code: string; fields: Record<string, string> } };
    expect(error.error.code).toBe("invalid_request");
    expect(Object.values(error.error.fields).join()).toContain("変更する項目");
    expect(await env.DB.prepare("SELECT status, loanable, updated_at FROM items WHERE id = ?").bind(itemId).first()).toEqual(
      before,
    );
  });

  it("an action without input still runs with an empty body and no type (POST …/reset-password)", async () => {
    const p = await createPatron({ mustChange: false });
    const res = await call(`/api/v1/admin/patrons/${p.cardNumber}/reset-password`, { method: "POST", headers: ADMIN });
    expect(res.status).toBe(200);
  });
});

describe("body size limits", () => {
  it("a 50 KB login body answers 413 payload_too_large before it is parsed", async () => {
    const res = await call("/api/v1/session", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ cardNumber: "2100000001", password: "x".repeat(50_000) }),
    });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe("payload_too_large");
  });

  it("a page form past the limit gets a Japanese page with 413", async () => {
    const res = await call("/login", formPost({ cardNumber: "2100000001", password: "x".repeat(40_000) }));
    expect(res.status).toBe(413);
    expect(await res.text()).toContain("大きすぎます");
  });

  it("staff JSON may be larger than a patron's, but not unbounded", async () => {
    const big = { title: "大きな資料", type: "book", subject: "x".repeat(30_000) };
    const ok = await call("/api/v1/admin/materials", {
      method: "POST",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify(big),
    });
    expect(ok.status).not.toBe(413);
    const res = await call("/api/v1/admin/materials", {
      method: "POST",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ ...big, subject: "x".repeat(400_000) }),
    });
    expect(res.status).toBe(413);
  });
});

describe("the cross-site guard", () => {
  it("a made-up bearer token beside the staff cookie does not pass a cross-site request", async () => {
    const login = await call("/admin/login", formPost({ staffName: "山田", token: "test-admin-token" }));
    const cookie = cookiesFrom(login);
    const res = await call("/api/v1/admin/jobs/nightly", {
      method: "POST",
      headers: {
        Cookie: cookie,
        Authorization: "Bearer not-a-token",
        Origin: "https://evil.example",
        "content-type": "application/json",
      },
      body: "{}",
    });
    expect(res.status).toBe(403);
  });

  it("a real bearer token (a script) still works without Origin, cookies or not", async () => {
    const res = await call("/api/v1/admin/mail", { headers: { ...ADMIN, Cookie: "x=1" } });
    expect(res.status).toBe(200);
  });
});

describe("mail links", () => {
  it("come from PUBLIC_BASE_URL, never from the request's Host header", async () => {
    const p = await createPatron({ mustChange: false, contactMethod: "mail" });
    const reservationId = await insertReservation(p.id, 44, "reserved");
    const itemId = await itemOf(44);
    const sent: unknown[] = [];
    const spy = vi.spyOn(env.MAIL_QUEUE, "sendBatch").mockImplementation(async (messages) => {
      for (const m of messages) sent.push(m.body);
      return {} as Awaited<ReturnType<Queue["sendBatch"]>>;
    });
    const res = await exports.default.fetch(
      new Request(`https://evil.example/api/v1/admin/reservations/${reservationId}/hold`, {
        method: "POST",
        headers: { ...ADMIN, "content-type": "application/json", Host: "evil.example" },
        body: JSON.stringify({ itemId }),
      }),
    );
    spy.mockRestore();
    expect(res.status).toBe(200);
    const notify = sent as NotifyMessage[];
    expect(notify.map((m) => m.baseUrl)).toEqual([env.PUBLIC_BASE_URL]);
  });
});
