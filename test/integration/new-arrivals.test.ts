// 新着資料 (issue 10 item 1): materials with a copy added in the last 30 days, newest first, by branch, NDC
// class and type, as a page and as GET /api/v1/new-arrivals shaped like /materials.
import { env } from "cloudflare:workers";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";
import { NEW_ARRIVAL_DAYS } from "../../src/features/catalog/new-arrivals";
import { FIXTURES, idOfTitle, loadCatalog } from "../support/catalog";
import { call, getJson } from "../support/http";

const DAY = 24 * 60 * 60 * 1000;
const now = Date.now();
/** Added, newest first: coffee (umibe copy, 596.7) 1 day ago, kamishibai 2 days, こころ (913.6) 3 days; tokyoto 40 days (old). */
const added = {
  coffee: now - 1 * DAY,
  kamishibai: now - 2 * DAY,
  kokoro: now - 3 * DAY,
  tokyoto: now - 40 * DAY,
};

beforeAll(async () => {
  await loadCatalog();
  // Everything was added long ago, but for these.
  await env.DB.prepare("UPDATE items SET created_at = ?")
    .bind(now - 90 * DAY)
    .run();
  const set = (materialId: number, at: number, branch?: string) =>
    env.DB.prepare(`UPDATE items SET created_at = ? WHERE material_id = ?${branch ? " AND branch_code = ?" : ""}`)
      .bind(at, materialId, ...(branch ? [branch] : []))
      .run();
  await set(FIXTURES.coffee.id, added.coffee, "umibe");
  await set(FIXTURES.kamishibai.id, added.kamishibai);
  await set(idOfTitle("こころ"), added.kokoro);
  await set(FIXTURES.tokyoto.id, added.tokyoto);
});

type ApiPage = {
  total: number;
  totalCapped: boolean;
  page: number;
  perPage: number;
  items: Array<{ id: number; title: string }>;
};

describe("GET /api/v1/new-arrivals", () => {
  it("lists materials with a copy added in the last 30 days, newest first, shaped like /materials", async () => {
    const { status, body } = await getJson<ApiPage>("/api/v1/new-arrivals");
    expect(status).toBe(200);
    expect(body.items.map((m) => m.id)).toEqual([FIXTURES.coffee.id, FIXTURES.kamishibai.id, idOfTitle("こころ")]);
    expect(body).toMatchObject({ total: 3, totalCapped: false, page: 1, perPage: 20 });
    const search = await getJson<{ items: Array<Record<string, unknown>> }>(
      `/api/v1/materials?q=${encodeURIComponent("コーヒー")}`,
    );
    const keys = Object.keys(search.body.items[0] ?? {}).sort();
    expect(Object.keys(body.items[0] ?? {}).sort()).toEqual(keys);
    expect(NEW_ARRIVAL_DAYS).toBe(30);
  });

  it("filters by the branch a copy was added at, the NDC class and the type", async () => {
    expect((await getJson<ApiPage>("/api/v1/new-arrivals?branch=umibe")).body.items.map((m) => m.id)).toEqual([
      FIXTURES.coffee.id,
    ]);
    expect((await getJson<ApiPage>("/api/v1/new-arrivals?ndc=9")).body.items.map((m) => m.id)).toEqual([idOfTitle("こころ")]);
    expect((await getJson<ApiPage>("/api/v1/new-arrivals?type=kamishibai")).body.items.map((m) => m.id)).toEqual([
      FIXTURES.kamishibai.id,
    ]);
    expect((await getJson<ApiPage>("/api/v1/new-arrivals?branch=kita")).body.items).toEqual([]);
  });

  it.each([
    ["an unknown branch", "branch=nowhere", "branch"],
    ["an NDC that is not one digit", "ndc=91", "ndc"],
    ["an unknown type", "type=scroll", "type"],
    ["page 51", "page=51", "page"],
  ])("refuses %s with 400 naming the field", async (_n, query, field) => {
    const { status, body } = await getJson<{ error: { code: string; fields: Record<string, string> } }>(
      `/api/v1/new-arrivals?${query}`,
    );
    expect(status).toBe(400);
    expect(body.error.code).toBe("invalid_request");
    expect(Object.keys(body.error.fields)).toContain(field);
  });
});

describe("the 新着資料 page", () => {
  it("lists them with the filters, reachable from every page's menu", async () => {
    const res = await call("/new-arrivals?ndc=5");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("<h1>新着資料</h1>");
    expect(html).toContain(`href="/materials/${FIXTURES.coffee.id}"`);
    expect(html).not.toContain(`href="/materials/${idOfTitle("こころ")}"`);
    expect(html).toMatch(/<option value="5" selected="">5 技術<\/option>/);
    expect(await (await call("/")).text()).toContain('<a href="/new-arrivals">新着資料</a>');
  });

  it("says so when nothing is new; a bad filter is a Japanese 400 page", async () => {
    expect(await (await call("/new-arrivals?branch=kita")).text()).toContain("この条件の新着資料はありません。");
    const bad = await call("/new-arrivals?ndc=x");
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("分類は 0〜9 の1桁で指定してください。");
  });
});

describe("feeds of 新着資料", () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@" });

  it("Atom 1.0: parses back as a feed of the same list, newest first, each entry linking its material page", async () => {
    const res = await call("/feeds/new.atom");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/atom+xml; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    const text = await res.text();
    expect(XMLValidator.validate(text)).toBe(true);
    const feed = parser.parse(text).feed;
    expect(feed["@xmlns"]).toBe("http://www.w3.org/2005/Atom");
    expect(feed.title).toBe("みなみ市立図書館 新着資料");
    for (const key of ["id", "updated", "link", "author"]) expect(feed[key], key).toBeDefined();
    const entries = [feed.entry].flat();
    expect(entries.map((e: { link: { "@href": string } }) => e.link["@href"])).toEqual(
      [FIXTURES.coffee.id, FIXTURES.kamishibai.id, idOfTitle("こころ")].map(
        (id) => `${env.PUBLIC_BASE_URL.replace(/\/+$/, "")}/materials/${id}`,
      ),
    );
    for (const e of entries) {
      expect(e.id).toMatch(/\/materials\/\d+$/);
      expect(Date.parse(e.updated)).toBeGreaterThan(now - 4 * DAY);
    }
    expect(Date.parse(entries[0].updated)).toBeGreaterThan(Date.parse(entries[1].updated));
    // The feed changed when its newest entry was added, not at each request.
    expect(feed.updated).toBe(entries[0].updated);
  });

  it("JSON Feed 1.1 of the same list, with the same filters as the page (and stable URLs)", async () => {
    const res = await call("/feeds/new.json?ndc=9");
    expect(res.headers.get("content-type")).toBe("application/feed+json; charset=utf-8");
    const body = (await res.json()) as {
      version: string;
      title: string;
      feed_url: string;
      home_page_url: string;
      items: Array<{ id: string; url: string; title: string; date_published: string }>;
    };
    expect(body.version).toBe("https://jsonfeed.org/version/1.1");
    expect(body.feed_url).toMatch(/\/feeds\/new\.json\?ndc=9$/);
    expect(body.home_page_url).toMatch(/\/new-arrivals\?ndc=9$/);
    expect(body.items.map((i) => i.title)).toEqual(["こころ"]);
    expect(Number.isNaN(Date.parse(body.items[0]?.date_published ?? ""))).toBe(false);
  });

  it("escapes what records hold (a hostile title stays text) and names the branch of a branch feed", async () => {
    await env.DB.prepare("UPDATE items SET created_at = ? WHERE material_id = ?")
      .bind(now - DAY / 2, FIXTURES.hostile.id)
      .run();
    const text = await (await call("/feeds/new.atom?branch=central")).text();
    expect(XMLValidator.validate(text)).toBe(true);
    const feed = parser.parse(text).feed;
    expect(feed.title).toBe("みなみ市立図書館 新着資料（中央図書館）");
    const titles = [feed.entry].flat().map((e: { title: string }) => e.title);
    expect(titles).toContain(`<script>alert("x")</script> & "引用" 'きけん'`);
    await env.DB.prepare("UPDATE items SET created_at = ? WHERE material_id = ?")
      .bind(now - 90 * DAY, FIXTURES.hostile.id)
      .run();
  });

  it("the 新着資料 page links its feeds (rel=alternate); a bad filter is 400", async () => {
    const html = await (await call("/new-arrivals?type=book")).text();
    expect(html).toContain(
      '<link rel="alternate" type="application/atom+xml" title="新着資料（Atom）" href="/feeds/new.atom?type=book"/>',
    );
    expect(html).toContain(
      '<link rel="alternate" type="application/feed+json" title="新着資料（JSON Feed）" href="/feeds/new.json?type=book"/>',
    );
    expect((await call("/feeds/new.atom?branch=nowhere")).status).toBe(400);
  });
});
