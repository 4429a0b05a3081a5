// The catalog's HTML pages through the Worker: Japanese, accessible forms, escaped catalog text, htmx fragments.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { NOT_RESERVABLE_MESSAGES } from "../../src/domain/reservability";
import { FIXTURES, idOfTitle, loadCatalog } from "../support/catalog";
import { call } from "../support/http";

beforeAll(loadCatalog);

async function page(path: string, headers?: Record<string, string>): Promise<{ status: number; html: string; res: Response }> {
  const res = await call(path, headers ? { headers } : undefined);
  return { status: res.status, html: await res.text(), res };
}

const q = (text: string) => encodeURIComponent(text);

/** The value of one attribute in a tag's source, or undefined. */
function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m?.[1];
}

/** Form controls a person fills in: every <input> that is not hidden, and every <select>. */
function visibleControls(html: string): string[] {
  return [...html.matchAll(/<(?:input|select)\b[^>]*>/g)].map((m) => m[0]).filter((tag) => attr(tag, "type") !== "hidden");
}

const labelFors = (html: string): string[] =>
  [...html.matchAll(/<label\b[^>]*>/g)].map((m) => attr(m[0], "for")).filter((v): v is string => v !== undefined);

const FULL_PAGES = ["/", "/search", `/search?q=${q("猫")}`, `/materials/${idOfTitle("こころ")}`, "/calendar"];

describe("every page", () => {
  it.each(FULL_PAGES)("%s is a 200 Japanese HTML document with a single <h1>", async (path) => {
    const { status, html, res } = await page(path);
    expect(status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(html).toContain('<html lang="ja">');
    expect(html.match(/<h1[\s>]/g) ?? []).toHaveLength(1);
  });

  it.each([...FULL_PAGES, "/nope"])(
    "%s starts with a real <!doctype html>, not escaped text, so browsers render it in standards mode",
    async (path) => {
      const { html } = await page(path);
      expect(html).not.toContain("&lt;!doctype");
      expect(html).toMatch(/^<!doctype html>/i);
    },
  );

  it.each(FULL_PAGES)("%s gives every visible <input> and <select> a <label for> that matches its id", async (path) => {
    const { html } = await page(path);
    const fors = labelFors(html);
    for (const tag of visibleControls(html)) {
      const id = attr(tag, "id");
      expect(id, `control without id: ${tag}`).toBeDefined();
      expect(fors, `no <label for="${id}"> for ${tag}`).toContain(id);
    }
  });

  it("has no <label for> that points at nothing on the search page", async () => {
    const { html } = await page("/search");
    for (const id of labelFors(html)) expect(html).toContain(`id="${id}"`);
  });
});

describe("escaping catalog text and what the patron typed", () => {
  const expectHostileEscaped = (html: string) => {
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<b>太字</b>");
    expect(html).toContain("&lt;script&gt;");
    expect(html).toContain("&lt;b&gt;太字&lt;/b&gt;");
  };

  it("escapes a hostile title and author on the results page", async () => {
    const { status, html } = await page(`/search?q=${q("きけん")}`);
    expect(status).toBe(200);
    expect(html).toContain(`href="/materials/${FIXTURES.hostile.id}"`);
    expectHostileEscaped(html);
  });

  it("escapes a hostile title and author on the results page found by title search", async () => {
    const { html } = await page(`/search?title=${q("引用")}`);
    expect(html).toContain(`href="/materials/${FIXTURES.hostile.id}"`);
    expectHostileEscaped(html);
  });

  it("escapes a hostile title and author on its detail page, also in <title>", async () => {
    const { status, html } = await page(`/materials/${FIXTURES.hostile.id}`);
    expect(status).toBe(200);
    expectHostileEscaped(html);
    const title = /<title>([\s\S]*?)<\/title>/.exec(html)?.[1] ?? "";
    expect(title).toContain("&lt;script&gt;");
  });

  it("escapes a search term echoed back into the form and the page title", async () => {
    const typed = `"><script>x</script>`;
    const { status, html } = await page(`/search?q=${q(typed)}`);
    expect(status).toBe(200);
    expect(html).not.toContain("<script>x");
    expect(html).not.toContain(`"><script>`);
    const input = /<input\b[^>]*\bid="q"[^>]*>/.exec(html)?.[0] ?? "";
    expect(input).toContain('value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"');
  });

  it("escapes a term echoed back into an advanced field even when the search is refused", async () => {
    const { status, html } = await page(`/search?author=${q(`"><img src=x onerror=alert(1)>`)}&page=abc`);
    expect(status).toBe(400);
    expect(html).not.toContain("<img src=x");
  });
});

describe("the material detail page", () => {
  it("offers a pickup branch selector and 「予約カートに追加」 for a reservable material", async () => {
    const { html } = await page(`/materials/${idOfTitle("こころ")}`);
    expect(html).toMatch(/<select\b[^>]*\bname="pickupBranch"/);
    expect(html).toContain("予約カートに追加");
    expect(html).toContain('<form action="/cart/items" method="post">');
    for (const name of ["中央図書館", "北部分館", "南部分館", "東部分館", "うみべ分館"]) expect(html).toContain(name);
  });

  it.each<[string, number, keyof typeof NOT_RESERVABLE_MESSAGES]>([
    ["the latest magazine issue", FIXTURES.latestIssue.id, "latest_issue"],
    ["禁帯出-only material", FIXTURES.referenceOnly.id, "reading_room_only"],
    ["material whose copies are all lost", FIXTURES.allLost.id, "no_loanable_item"],
    ["material with no copies", FIXTURES.noCopies.id, "no_loanable_item"],
  ])("shows no selector and no button for %s, and says why in Japanese", async (_name, id, reason) => {
    const { status, html } = await page(`/materials/${id}`);
    expect(status).toBe(200);
    expect(html).not.toContain('name="pickupBranch"');
    expect(html).not.toContain("予約カートに追加");
    expect(html).toContain(NOT_RESERVABLE_MESSAGES[reason]);
  });

  it("shows the holdings table with 状態 labels, call numbers and 禁帯出", async () => {
    const coffee = (await page(`/materials/${FIXTURES.coffee.id}`)).html;
    expect(coffee).toContain("状態");
    expect(coffee).toContain("請求記号");
    expect(coffee).toContain("913/テ");
    expect(coffee).toContain("在架");
    expect(coffee).toContain("貸出中");
    const lost = (await page(`/materials/${FIXTURES.allLost.id}`)).html;
    expect(lost).toContain("行方不明");
    expect(lost).toContain("破損");
    const ref = (await page(`/materials/${FIXTURES.referenceOnly.id}`)).html;
    expect(ref).toContain("禁帯出");
  });

  it("shows the number of reservations (予約件数)", async () => {
    const { html } = await page(`/materials/${idOfTitle("こころ")}`);
    expect(html).toContain("予約件数");
    expect(html).toMatch(/予約件数：0件/);
  });

  it("shows the ISBN hyphenated", async () => {
    const { html } = await page(`/materials/${FIXTURES.isbn.id}`);
    expect(html).toContain("978-4-00-310101-8");
  });
});

describe("a copy on loan", () => {
  it("shows its 返却予定日 with the weekday on the material page and in its JSON, naming no patron", async () => {
    const item = await env.DB.prepare("SELECT id FROM items WHERE material_id = ? AND status = 'on_loan'")
      .bind(FIXTURES.coffee.id)
      .first<{ id: number }>();
    await env.DB.prepare("INSERT INTO loans (item_id, loaned_at, due_date) VALUES (?, ?, '2026-12-10')")
      .bind(item?.id, Date.now())
      .run();
    const { html } = await page(`/materials/${FIXTURES.coffee.id}`);
    expect(html).toContain("貸出中（12月10日(木)返却予定）");
    const json = (await (await call(`/api/v1/materials/${FIXTURES.coffee.id}`)).json()) as {
      holdings: Array<{ itemId: number; dueDate: string | null }>;
    };
    expect(json.holdings.find((h) => h.itemId === item?.id)?.dueDate).toBe("2026-12-10");
    expect(JSON.stringify(json)).not.toMatch(/patron/i);
  });
});

describe("an empty search", () => {
  it("sent with nothing in it says what to type, as a page and as the htmx fragment; opened fresh it says nothing", async () => {
    const sent = await page("/search?q=&title=");
    expect(sent.status).toBe(200);
    expect(sent.html).toContain("キーワードを入力するか");
    const fragment = await page("/search?q=", { "HX-Request": "true" });
    expect(fragment.html).toMatch(/^<section id="results" role="status">/);
    expect(fragment.html).toContain("キーワードを入力するか");
    expect((await page("/search")).html).not.toContain("キーワードを入力するか");
  });
});

describe("htmx requests to /search", () => {
  const path = `/search?q=${q("猫")}`;

  it.each<[string, Record<string, string>]>([
    ["HX-Request: true", { "HX-Request": "true" }],
    ["HX-Request: true with HX-Request-Type: partial", { "HX-Request": "true", "HX-Request-Type": "partial" }],
  ])("answers %s with only the results fragment", async (_name, headers) => {
    const { status, html, res } = await page(path, headers);
    expect(status).toBe(200);
    expect(html).toMatch(/^<section id="results"/);
    expect(html).not.toContain("<html");
    expect(html).toContain(`href="/materials/${idOfTitle("吾輩は猫である")}"`);
    expect(res.headers.get("Vary") ?? "").toMatch(/HX-Request/i);
  });

  it.each<[string, Record<string, string>]>([
    ["HX-Request-Type: full", { "HX-Request": "true", "HX-Request-Type": "full" }],
    ["HX-History-Restore-Request: true", { "HX-Request": "true", "HX-History-Restore-Request": "true" }],
    ["no HX headers", {}],
  ])("answers %s with the full page", async (_name, headers) => {
    const { status, html, res } = await page(path, headers);
    expect(status).toBe(200);
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain('<section id="results"');
    expect(res.headers.get("Vary") ?? "").toMatch(/HX-Request/i);
  });

  it("answers an htmx search with no conditions with an empty results section", async () => {
    const { html } = await page("/search", { "HX-Request": "true" });
    expect(html).toMatch(/^<section id="results"/);
    expect(html).not.toContain("<html");
  });
});

describe("bad parameters and unknown pages", () => {
  const PAGE_MESSAGE = "ページ番号が正しくありません。";

  it("answers /search with a bad page number with 400 and the Japanese field message inside the full page", async () => {
    const { status, html } = await page("/search?q=x&page=abc");
    expect(status).toBe(400);
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain(PAGE_MESSAGE);
    expect(html).toContain('<section id="results"');
    expect(html.match(/<h1[\s>]/g) ?? []).toHaveLength(1);
  });

  it("answers the same bad search from htmx with 400 and the message in the results fragment", async () => {
    const { status, html } = await page("/search?q=x&page=abc", { "HX-Request": "true" });
    expect(status).toBe(400);
    expect(html).toMatch(/^<section id="results"/);
    expect(html).not.toContain("<html");
    expect(html).toContain(PAGE_MESSAGE);
  });

  it("answers an unknown branch on the page with 400 and a Japanese message", async () => {
    const { status, html } = await page("/search?q=x&branch=nosuch");
    expect(status).toBe(400);
    expect(html).toContain("指定された所蔵館はありません。");
  });

  it("answers hostile FTS syntax in the search box with a 200 page", async () => {
    for (const text of [`NEAR(a b)`, `title:猫`, `'; DROP TABLE materials; --`]) {
      expect((await page(`/search?q=${q(text)}`)).status, text).toBe(200);
    }
  });

  it("tells the patron in Japanese when the search box holds nothing searchable", async () => {
    for (const text of [`"`, `*`, `、。！？`]) {
      const { status, html } = await page(`/search?q=${q(text)}`);
      expect(status, text).toBe(400);
      expect(html).toContain("検索できる文字");
    }
  });

  it("answers an unknown page with a 404 HTML page in Japanese", async () => {
    const { status, html, res } = await page("/nope");
    expect(status).toBe(404);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain("ページが見つかりません");
    expect(html.match(/<h1[\s>]/g) ?? []).toHaveLength(1);
  });

  it.each(["/materials/999999", "/materials/abc"])("answers %s with a 404 HTML page", async (path) => {
    const { status, html, res } = await page(path);
    expect(status).toBe(404);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain("指定された資料は見つかりませんでした。");
  });
});

describe("page weight", () => {
  it("keeps the results page for 漱石 at most 14 KB gzipped", async () => {
    const { status, html } = await page(`/search?q=${q("漱石")}`);
    expect(status).toBe(200);
    expect(html).toContain(`href="/materials/${idOfTitle("こころ")}"`);
    const gzipped = await new Response(new Blob([html]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer();
    expect(gzipped.byteLength).toBeLessThanOrEqual(14 * 1024);
  });
});

describe("what the results list tells a patron", () => {
  it("marks a material whose only copies on the shelf are 禁帯出 as 館内閲覧のみ, not 在架なし", async () => {
    const { html } = await page(`/search?title=${q("郷土資料事典")}`);
    expect(html).toContain("館内閲覧のみ");
    expect(html).not.toContain("在架なし");
  });

  it("leaves 「いま貸出できる資料のみ」 unticked when the URL says available=false", async () => {
    const { html } = await page(`/search?q=${q("漱石")}&available=false`);
    expect(html).toMatch(/<input type="checkbox" id="available" name="available" value="true"\/?>/);
    const ticked = await page(`/search?q=${q("漱石")}&available=true`);
    expect(ticked.html).toMatch(/id="available"[^>]*checked/);
  });

  it("updates the screen-reader status outside the swapped results, out of band, on an htmx search", async () => {
    const { html } = await page(`/search?q=${q("漱石")}`, { "HX-Request": "true" });
    expect(html).toMatch(/<p id="search-status"[^>]*hx-swap-oob="true"[^>]*>検索結果 \d+件<\/p>/);
    const full = await page(`/search?q=${q("漱石")}`);
    expect(full.html).toMatch(/<p id="search-status"[^>]*role="status"/);
    expect(full.html).not.toContain("hx-swap-oob");
  });

  it("marks a field with an error as invalid and points it to its message", async () => {
    const { html } = await page("/search?isbn=123");
    expect(html).toMatch(
      /id="isbn"[^>]*aria-describedby="isbn-error"[^>]*aria-invalid="true"|id="isbn"[^>]*aria-invalid="true"[^>]*aria-describedby="isbn-error"/,
    );
  });
});

describe("help pages", () => {
  it("explains reserving, every status label and cancelling, with the limit of 10", async () => {
    const { status, html } = await page("/help/reservations");
    expect(status).toBe(200);
    for (const label of ["予約申請中", "予約中", "予約拒否", "お取り置き", "予約申請取消", "取消申請中", "予約取消済み"]) {
      expect(html).toContain(label);
    }
    expect(html).toContain("10冊まで");
    expect(html).toContain("取消実行");
  });

  it("tells which sending domain to allow when the library's mail does not arrive", async () => {
    const { status, html } = await page("/help/mail");
    expect(status).toBe(200);
    expect(html).toContain("図書館からのメールが届かない場合は");
    expect(html).toContain("library.minami.example.jp");
  });
});
