// The top page (issue 10 item 3): the search box first, then お知らせ (staff notices shown from–until),
// today's opening status of each branch, and the newest 新着資料; notices through the staff API and page.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { addDays, tokyoDate } from "../../src/domain/calendar";
import { FIXTURES, loadCatalog } from "../support/catalog";
import { call } from "../support/http";
import { cookiesFrom, formPost } from "../support/patrons";

const ADMIN = { Authorization: "Bearer test-admin-token", "content-type": "application/json" };
const today = tokyoDate(Date.now());
const notice = (body: unknown) => call("/api/v1/admin/notices", { method: "POST", headers: ADMIN, body: JSON.stringify(body) });

beforeAll(async () => {
  await loadCatalog();
  await env.DB.prepare("INSERT INTO calendar_days (date, open) VALUES (?, 1) ON CONFLICT (date) DO UPDATE SET open = 1")
    .bind(today)
    .run();
  await env.DB.prepare("UPDATE items SET created_at = ?")
    .bind(Date.now() - 90 * 86_400_000)
    .run();
  await env.DB.prepare("UPDATE items SET created_at = ? WHERE material_id = ?")
    .bind(Date.now() - 3_600_000, FIXTURES.coffee.id)
    .run();
});

describe("お知らせ", () => {
  it("a notice shows on the top page from its first day through its last, after the search box", async () => {
    const res = await notice({
      title: "年末年始の休館",
      body: "12月29日から1月3日まで休館します。",
      from: today,
      until: addDays(today, 3),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: number };
    expect(id).toBeGreaterThan(0);
    const html = await (await call("/")).text();
    expect(html).toContain("<strong>年末年始の休館</strong>");
    expect(html.indexOf('role="search"')).toBeLessThan(html.indexOf("年末年始の休館"));
    // Not yet, and over: not shown.
    await notice({ title: "まだ先のお知らせ", body: "来月から。", from: addDays(today, 5), until: addDays(today, 9) });
    await env.DB.prepare(
      "INSERT INTO notices (title, body, from_date, until_date) VALUES ('終わったお知らせ', '昨日まで。', ?, ?)",
    )
      .bind(addDays(today, -5), addDays(today, -1))
      .run();
    const later = await (await call("/")).text();
    expect(later).not.toContain("まだ先のお知らせ");
    expect(later).not.toContain("終わったお知らせ");
    // Taken down: gone at once.
    expect((await call(`/api/v1/admin/notices/${id}`, { method: "DELETE", headers: ADMIN })).status).toBe(204);
    expect(await (await call("/")).text()).not.toContain("年末年始の休館");
  });

  it.each([
    ["no title", { body: "本文", from: today, until: today }, "title"],
    ["an end before the start", { title: "逆", body: "本文", from: today, until: addDays(today, -1) }, "until"],
    ["a date that is not one", { title: "日付", body: "本文", from: "2026-02-30", until: today }, "from"],
  ])("refuses %s with 400 naming the field", async (_n, body, field) => {
    const res = await notice(body);
    expect(res.status).toBe(400);
    expect(Object.keys(((await res.json()) as { error: { fields: Record<string, string> } }).error.fields)).toContain(field);
  });

  it("needs the staff token; staff post and take down notices on their page", async () => {
    expect(
      (await call("/api/v1/admin/notices", { method: "POST", body: "{}", headers: { "content-type": "application/json" } }))
        .status,
    ).toBe(401);
    const cookie = cookiesFrom(await call("/admin/login", formPost({ staffName: "山田 司書", token: "test-admin-token" })));
    const posted = await call(
      "/admin/notices",
      formPost({ title: "蔵書点検", body: "点検のため休館します。", from: today, until: today }, cookie),
    );
    expect(posted.status).toBe(200);
    const page = await posted.text();
    expect(page).toContain("「蔵書点検」を掲載しました");
    expect(await (await call("/")).text()).toContain("蔵書点検");
    const id = /<strong>蔵書点検<\/strong>[\s\S]*?action="\/admin\/notices\/(\d+)\/delete"/.exec(page)?.[1];
    const down = await call(`/admin/notices/${id}/delete`, formPost({}, cookie));
    expect(await down.text()).toContain("お知らせを取り下げました。");
    expect(await (await call("/")).text()).not.toContain("蔵書点検");
  });
});

describe("the top page", () => {
  it("says which branches are open today and lists the newest arrivals", async () => {
    const html = await (await call("/")).text();
    expect(html).toContain("の開館</h2>");
    expect(html).toContain(
      '<a href="/branches/kita">北部分館</a>：<span class="ok">開館（火〜日 9:00〜17:00（月曜・祝日休館））</span>',
    );
    expect(html).toContain(`<a href="/materials/${FIXTURES.coffee.id}">コーヒーの話</a>`);
    expect(html).toContain('<a href="/new-arrivals">新着資料をもっと見る</a>');
  });
});
