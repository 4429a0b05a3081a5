// Staff pages through the Worker: the token login, the counter forms, and nothing without a staff session.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { loadCatalog } from "../support/catalog";
import { call } from "../support/http";
import { cookiesFrom, createPatron, formPost } from "../support/patrons";

beforeAll(loadCatalog);

async function staffCookie(): Promise<string> {
  const res = await call("/admin/login", formPost({ token: "test-admin-token" }));
  expect(res.status).toBe(303);
  return cookiesFrom(res);
}

describe("staff pages", () => {
  it.each(["/admin", "/admin/counter", "/admin/mail"])(
    "%s sends a visitor without a staff session to the staff login",
    async (path) => {
      const res = await call(path, { redirect: "manual" });
      expect(res.status).toBe(303);
      expect(res.headers.get("Location")).toBe("/admin/login");
    },
  );

  it("refuses a wrong token with a Japanese message and no session", async () => {
    const res = await call("/admin/login", formPost({ token: "nope" }));
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("トークンが正しくありません");
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it("refuses a counter form posted from another site, even with the staff cookie", async () => {
    const cookie = await staffCookie();
    const res = await call("/admin/counter/register", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", Cookie: cookie, Origin: "https://evil.example" },
      body: new URLSearchParams({ name: "偽 登録", email: "evil@example.jp" }),
    });
    expect(res.status).toBe(403);
  });

  it("registers web use and shows the temporary password once, which then logs in", async () => {
    const cookie = await staffCookie();
    const res = await call("/admin/counter/register", formPost({ name: "窓口 花子", email: "madoguchi@example.jp" }, cookie));
    const html = await res.text();
    expect(res.status).toBe(200);
    const m = html.match(/利用者番号 (\d+)、仮パスワード ([A-Za-z0-9]{8})/);
    expect(m).not.toBeNull();
    const login = await call("/api/v1/session", {
      method: "POST",
      headers: { "content-type": "application/json", "CF-Connecting-IP": "192.0.2.200" },
      body: JSON.stringify({ cardNumber: m?.[1], password: m?.[2] }),
    });
    expect(((await login.json()) as { mustChangeCredentials: boolean }).mustChangeCredentials).toBe(true);
  });

  it("lends and returns by barcode, and says so in Japanese", async () => {
    const cookie = await staffCookie();
    const p = await createPatron({ mustChange: false });
    const item = await env.DB.prepare(
      "SELECT barcode FROM items WHERE status = 'available' AND loanable = 1 ORDER BY id DESC LIMIT 1",
    ).first<{ barcode: string }>();
    const lend = await call("/admin/counter/lend", formPost({ lendCard: p.cardNumber, barcode: item?.barcode ?? "" }, cookie));
    expect(await lend.text()).toContain("貸し出しました");
    const again = await call("/admin/counter/lend", formPost({ lendCard: p.cardNumber, barcode: item?.barcode ?? "" }, cookie));
    expect(again.status).toBe(409);
    const back = await call("/admin/counter/return", formPost({ returnBarcode: item?.barcode ?? "" }, cookie));
    expect(await back.text()).toContain("返却しました");
  });

  it("sets a closed day and stops a patron's web use", async () => {
    const cookie = await staffCookie();
    await call("/admin/counter/calendar", formPost({ date: "2031-05-05", open: "0" }, cookie));
    const day = await env.DB.prepare("SELECT open FROM calendar_days WHERE date = '2031-05-05'").first<{ open: number }>();
    expect(day?.open).toBe(0);
    const p = await createPatron({ mustChange: false });
    const res = await call("/admin/counter/status", formPost({ statusCard: p.cardNumber, change: "web-off" }, cookie));
    expect(await res.text()).toContain("インターネット予約を停止しました");
    const row = await env.DB.prepare("SELECT web_enabled AS w FROM patrons WHERE id = ?").bind(p.id).first<{ w: number }>();
    expect(row?.w).toBe(0);
  });
});
