// Rough edges a patron trips over (issue 9 items 7, 8, 10, 12) as the Worker serves them: the results
// fragment brings its own <title> and a heading to focus, paging shows the new results, the header says who
// is logged in, a magazine's ヨミ is not shown, and dates carry the weekday.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { assets } from "../../src/views/assets";
import { jaDate } from "../../src/views/format";
import { FIXTURES, loadCatalog } from "../support/catalog";
import { call } from "../support/http";
import { cookiesFrom, createPatron, formPost } from "../support/patrons";

beforeAll(loadCatalog);

const fragment = (path: string, cookie?: string) =>
  call(path, { headers: { "HX-Request": "true", "HX-Target": "results", ...(cookie ? { Cookie: cookie } : {}) } });

describe("search paging with htmx", () => {
  it("the fragment carries the page title of its query and a heading that takes focus", async () => {
    const html = await (await fragment("/search?q=%E3%81%AE&page=2")).text();
    expect(html).toContain("<title>「の」の検索結果 | みなみ市立図書館 Web予約</title>");
    expect(html).toMatch(/<h2 id="results-heading" tabindex="-1" autofocus="">/);
  });

  it("the full page has no stray <title> in the results nor an autofocus; pager links show the new results at the top with an indicator", async () => {
    const html = await (await call("/search?q=%E3%81%AE")).text();
    expect(html.match(/<title>/g)).toHaveLength(1);
    expect(html).not.toContain("autofocus");
    expect(html).toMatch(
      /<a href="\/search\?q=%E3%81%AE&amp;page=2"[^>]*hx-swap="outerHTML show:top"[^>]*hx-indicator="#searching"/,
    );
    expect(html).toContain('<p id="searching" class="htmx-indicator meta" aria-hidden="true">検索しています…</p>');
    expect(html).toContain(`<script src="${assets.js}" defer="">`);
  });
});

describe("the header of a logged-in patron", () => {
  it("says who is logged in and the cart count; anonymous pages say nothing of anyone", async () => {
    const patron = await createPatron({ mustChange: false, password: "Yomu2718" });
    await env.DB.prepare("UPDATE patrons SET name = ? WHERE id = ?").bind("南 <b>花子</b>", patron.id).run();
    const login = await call("/login", {
      ...formPost({ cardNumber: patron.cardNumber, password: patron.password }),
      headers: { ...(formPost({}).headers as Record<string, string>), "CF-Connecting-IP": "198.51.100.77" },
    });
    const jar = cookiesFrom(login);
    await call("/cart/items", formPost({ materialId: String(FIXTURES.coffee.id), pickupBranch: "central" }, jar));
    const html = await (await call("/search", { headers: { Cookie: jar } })).text();
    expect(html).toContain(
      '<p class="who">南 &lt;b&gt;花子&lt;/b&gt; さんがログイン中 ・ <a href="/cart" rel="nofollow">予約カート 1件</a></p></header>',
    );
    expect(await (await call("/search")).text()).not.toContain('class="who"');
    // Fragments are not touched.
    expect(await (await fragment("/search?q=%E3%81%AE", jar)).text()).not.toContain('class="who"');
  });
});

describe("the material page", () => {
  it("does not show a magazine's ヨミ to patrons", async () => {
    await env.DB.prepare("UPDATE materials SET title_kana = 'ゲッカン テスト ザッシ' WHERE id = ?")
      .bind(FIXTURES.backIssue.id)
      .run();
    const html = await (await call(`/materials/${FIXTURES.backIssue.id}`)).text();
    expect(html).not.toContain("ゲッカン テスト ザッシ");
    expect(html).not.toContain("<dt>ヨミ</dt>");
    const book = await (await call(`/materials/${FIXTURES.coffee.id}`)).text();
    expect(book).toContain("<dt>ヨミ</dt><dd>コーヒー ノ ハナシ</dd>");
  });

  it("leads with the reservation box, before the bibliographic details and the holdings", async () => {
    const html = await (await call(`/materials/${FIXTURES.coffee.id}`)).text();
    expect(html.indexOf("予約カートに追加")).toBeGreaterThan(-1);
    expect(html.indexOf("予約カートに追加")).toBeLessThan(html.indexOf("<h2>書誌情報</h2>"));
    expect(html.indexOf("<h2>書誌情報</h2>")).toBeLessThan(html.indexOf("<h2>所蔵</h2>"));
    expect(html).toContain("所蔵 2冊（貸出可 1冊）");
  });
});

describe("dates as people read them", () => {
  it("write the weekday, and the year only for another year", () => {
    const year = new Date().getUTCFullYear();
    expect(jaDate(`${year}-12-10`, Date.parse(`${year}-06-01T00:00:00Z`))).toMatch(/^12月10日\([日月火水木金土]\)$/);
    expect(jaDate("2026-12-10", Date.parse("2026-06-01T00:00:00Z"))).toBe("12月10日(木)");
    expect(jaDate("2027-01-05", Date.parse("2026-12-30T00:00:00Z"))).toBe("2027年1月5日(火)");
  });

  it("no page shows an ISO date: 貸出状況 and 予約状況 write them with the weekday", async () => {
    const patron = await createPatron({ mustChange: false, password: "Yomu2718" });
    const login = await call("/login", {
      ...formPost({ cardNumber: patron.cardNumber, password: patron.password }),
      headers: { ...(formPost({}).headers as Record<string, string>), "CF-Connecting-IP": "198.51.100.78" },
    });
    const jar = cookiesFrom(login);
    for (const path of [
      "/account/loans",
      "/account/reservations",
      "/account",
      "/account/profile",
      "/branches/central",
      "/calendar",
    ]) {
      const html = await (await call(path, { headers: { Cookie: jar } })).text();
      expect(html.replace(/<[^>]*>/g, " "), path).not.toMatch(/\b\d{4}-\d{2}-\d{2}\b/);
    }
  });
});
