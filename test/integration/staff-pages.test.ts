// Staff pages through the Worker: the token login, the counter forms, and nothing without a staff session.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { loadCatalog } from "../support/catalog";
import { BASE, call } from "../support/http";
import { cookiesFrom, createPatron, formPost } from "../support/patrons";

beforeAll(loadCatalog);

async function staffCookie(): Promise<string> {
  const res = await call("/admin/login", formPost({ staffName: "山田 司書", token: "test-admin-token" }));
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

  it.each(["/admin", "/admin/counter", "/admin/mail"])(
    "%s has the one staff layout: the staff menu and the 職員ログアウト button",
    async (path) => {
      const html = await (await call(path, { headers: { Cookie: await staffCookie() } })).text();
      expect(html).toContain('aria-label="職員メニュー"');
      expect(html).toContain('action="/admin/logout"');
      expect(html).toContain("職員ログアウト");
    },
  );

  it("a malformed form body gets a Japanese message and changes nothing", async () => {
    const cookie = await staffCookie();
    const res = await call("/admin/counter/calendar", {
      method: "POST",
      headers: { Cookie: cookie, Origin: BASE, "Content-Type": "multipart/form-data; boundary=x" },
      body: "--x\r\nbroken",
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("送信された内容を読み取れませんでした");
  });

  it("refuses a wrong token with a Japanese message and no session", async () => {
    const res = await call("/admin/login", formPost({ staffName: "山田 司書", token: "nope" }));
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
    const audit = await env.DB.prepare(
      "SELECT actor FROM audit_log WHERE action = 'patron.register_web' ORDER BY id DESC",
    ).first<{ actor: string }>();
    expect(audit?.actor).toBe("staff:page:山田 司書");
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

  it("adds a material and a 禁帯出 copy, which search then shows as not reservable, and marks a copy missing", async () => {
    const cookie = await staffCookie();
    const m = await call(
      "/admin/counter/material",
      formPost({ title: "郷土の古地図", titleKana: "キョウド ノ コチズ", type: "book" }, cookie),
    );
    const id = Number((await m.text()).match(/資料番号 (\d+)/)?.[1]);
    expect(id).toBeGreaterThan(0);
    const item = await call(
      "/admin/counter/item",
      formPost({ itemMaterialId: String(id), branch: "central", itemBarcode: "KOCHIZU-1", notLoanable: "1" }, cookie),
    );
    expect(await item.text()).toContain("禁帯出");
    const detail = (await (await call(`/api/v1/materials/${id}`)).json()) as { reservable: boolean; notReservableReason: string };
    expect(detail).toMatchObject({ reservable: false, notReservableReason: "reading_room_only" });
    const changed = await call(
      "/admin/counter/item-status",
      formPost({ statusBarcode: "KOCHIZU-1", itemStatus: "missing" }, cookie),
    );
    expect(await changed.text()).toContain("行方不明");
  });

  it("refuses a material without a title with a Japanese message, adding nothing", async () => {
    const cookie = await staffCookie();
    const before = await env.DB.prepare("SELECT count(*) AS n FROM materials").first<{ n: number }>();
    const res = await call("/admin/counter/material", formPost({ title: "", type: "book" }, cookie));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("書名を入力してください");
    const after = await env.DB.prepare("SELECT count(*) AS n FROM materials").first<{ n: number }>();
    expect(after?.n).toBe(before?.n);
  });

  it("corrects a material's title, and search follows at once", async () => {
    const cookie = await staffCookie();
    const m = await call("/admin/counter/material", formPost({ title: "誤字のある本", type: "book" }, cookie));
    const id = (await m.text()).match(/資料番号 (\d+)/)?.[1] ?? "";
    const res = await call(
      "/admin/counter/material-edit",
      formPost({ editMaterialId: id, editTitle: "正しい題名の本", editLatest: "" }, cookie),
    );
    expect(await res.text()).toContain("修正しました");
    const found = (await (await call(`/api/v1/materials?q=${encodeURIComponent("題名")}`)).json()) as {
      items: Array<{ id: number }>;
    };
    expect(found.items.map((i) => i.id)).toContain(Number(id));
  });

  it("after a hold expires overnight, the copy is listed for the next patron in the queue", async () => {
    const cookie = await staffCookie();
    const first = await createPatron({ mustChange: false });
    const second = await createPatron({ mustChange: false });
    const materialId = 300;
    const itemId = (
      await env.DB.prepare("SELECT id FROM items WHERE material_id = ? ORDER BY id LIMIT 1")
        .bind(materialId)
        .first<{ id: number }>()
    )?.id;
    await env.DB.prepare("UPDATE items SET status = 'on_loan' WHERE material_id = ? AND id <> ?").bind(materialId, itemId).run();
    const now = Date.now();
    for (const [p, t] of [
      [first, now - 2000],
      [second, now - 1000],
    ] as const) {
      await env.DB.prepare(
        "INSERT INTO reservations (patron_id, material_id, pickup_branch, status, source, applied_at, accepted_at) VALUES (?, ?, 'central', 'reserved', 'web', ?, ?)",
      )
        .bind(p.id, materialId, t, t)
        .run();
    }
    const board = await (await call("/admin", { headers: { Cookie: cookie } })).text();
    expect(board).toContain(first.cardNumber);
    expect(board).not.toContain(second.cardNumber);
    const firstRes = (
      await env.DB.prepare("SELECT id FROM reservations WHERE patron_id = ?").bind(first.id).first<{ id: number }>()
    )?.id;
    await call("/admin/holds", formPost({ reservationId: String(firstRes), itemId: String(itemId) }, cookie));
    await env.DB.prepare("UPDATE reservations SET hold_until = '2020-01-01' WHERE id = ?").bind(firstRes).run();
    await call("/api/v1/admin/jobs/nightly", {
      method: "POST",
      headers: { Authorization: "Bearer test-admin-token", "content-type": "application/json" },
      body: JSON.stringify({ date: "2026-11-21" }),
    });
    const after = await (await call("/admin", { headers: { Cookie: cookie } })).text();
    expect(after).toContain(second.cardNumber);
  });

  it("shows the mail outbox with each message's state", async () => {
    const cookie = await staffCookie();
    await env.DB.prepare(
      "INSERT INTO mail_outbox (idempotency_key, to_address, subject, body, kind, status, created_at) VALUES ('t:1', 'outbox@example.jp', '【テスト】件名', '本文', 'accepted', 'recorded', ?)",
    )
      .bind(Date.now())
      .run();
    const res = await call("/admin/mail", { headers: { Cookie: cookie } });
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain("outbox@example.jp");
    expect(html).toContain("記録のみ（送信先の設定なし）");
  });
});
