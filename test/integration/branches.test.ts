// 館のご案内: each branch's address, phone, opening hours, today's status and coming closed days, as pages
// and in GET /api/v1/branches; staff change them with PUT /api/v1/admin/branches/:code.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { DEMO_BRANCHES } from "../../scripts/demo/catalog";
import { addDays, tokyoDate } from "../../src/domain/calendar";
import { jaDateShort } from "../../src/views/format";
import { FIXTURES, loadCatalog } from "../support/catalog";
import { call, getJson } from "../support/http";
import { cookiesFrom, formPost } from "../support/patrons";

const ADMIN = { Authorization: "Bearer test-admin-token", "content-type": "application/json" };
const put = (code: string, body: unknown) =>
  call(`/api/v1/admin/branches/${code}`, { method: "PUT", headers: ADMIN, body: JSON.stringify(body) });

const today = tokyoDate(Date.now());
const closedSoon = addDays(today, 3);

beforeAll(async () => {
  await loadCatalog();
  // Today open; three days on closed; the rest of the coming weeks open.
  const rows = Array.from({ length: 40 }, (_, i) => addDays(today, i)).map((d) => [d, d === closedSoon ? 0 : 1]);
  await env.DB.batch(
    rows.map(([d, open]) =>
      env.DB.prepare(
        "INSERT INTO calendar_days (date, open) VALUES (?, ?) ON CONFLICT (date) DO UPDATE SET open = excluded.open",
      ).bind(d, open),
    ),
  );
});

type ApiBranch = {
  code: string;
  name: string;
  pickup: boolean;
  address: string | null;
  phone: string | null;
  hours: string | null;
  openToday: boolean;
};

describe("branches for everyone", () => {
  it("GET /api/v1/branches carries address, phone, hours and whether it opens today", async () => {
    const { status, body } = await getJson<ApiBranch[]>("/api/v1/branches");
    expect(status).toBe(200);
    const central = DEMO_BRANCHES[0];
    expect(body[0]).toEqual({
      code: central?.code,
      name: central?.name,
      pickup: true,
      address: central?.address,
      phone: central?.phone,
      hours: central?.hours,
      openToday: true,
    });
    expect(body.map((b) => b.code)).toEqual(DEMO_BRANCHES.map((b) => b.code));
  });

  it("a branch page gives the address with a map link, the phone to call, the hours and the coming closed days", async () => {
    const res = await call("/branches/kita");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("<h1>北部分館</h1>");
    expect(html).toContain("〒897-0101 みなみ市北町2-5 北部公民館内");
    expect(html).toContain(
      `href="https://www.google.com/maps/search/?api=1&amp;query=${encodeURIComponent("〒897-0101 みなみ市北町2-5 北部公民館内")}"`,
    );
    expect(html).toContain('<a href="tel:0993001002">0993-00-1002</a>');
    expect(html).toContain("火〜日 9:00〜17:00");
    expect(html).toContain(`本日 ${jaDateShort(today)} は開館日です`);
    expect(html).toMatch(
      new RegExp(`これからの休館日</h2><ul class="days"><li>${jaDateShort(closedSoon).replace(/[()]/g, "\\$&")}</li></ul>`),
    );
  });

  it("an unknown branch is 404 with a Japanese page", async () => {
    const res = await call("/branches/nowhere");
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("指定された館は見つかりませんでした。");
  });

  it("the list page names every branch with its phone; the footer of every page links to it", async () => {
    const html = await (await call("/branches")).text();
    for (const b of DEMO_BRANCHES) expect(html).toContain(`<a href="/branches/${b.code}">${b.name}</a>`);
    expect(html).toContain('<a href="tel:0993001005">0993-00-1005</a>');
    const home = await (await call("/")).text();
    expect(home).toContain('<a href="/branches">館のご案内');
  });

  it("the holdings of a material link each branch to its page", async () => {
    const html = await (await call(`/materials/${FIXTURES.coffee.id}`)).text();
    expect(html).toContain('<a href="/branches/umibe">うみべ分館</a>');
    expect(html).toContain('<a href="/branches/central">中央図書館</a>');
  });
});

describe("staff change a branch", () => {
  it("PUT /api/v1/admin/branches/:code changes only the given fields; a blank one clears it; pages and the list follow", async () => {
    const res = await put("higashi", { phone: "0993-00-2004", hours: "火〜日 9:30〜18:00" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      code: "higashi",
      name: "東部分館",
      phone: "0993-00-2004",
      hours: "火〜日 9:30〜18:00",
      address: "〒897-0301 みなみ市東山1-8",
    });
    const { body } = await getJson<ApiBranch[]>("/api/v1/branches");
    expect(body.find((b) => b.code === "higashi")?.phone).toBe("0993-00-2004");
    expect(await (await call("/branches/higashi")).text()).toContain('<a href="tel:0993002004">0993-00-2004</a>');

    expect((await put("higashi", { address: "" })).status).toBe(200);
    const after = await (await call("/branches/higashi")).text();
    expect(after).not.toContain("みなみ市東山");
    expect(after).not.toContain("地図を開く");
    const audit = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_log WHERE action = 'branch.update' AND target_id = 'higashi'",
    ).first<{
      n: number;
    }>();
    expect(audit?.n).toBe(2);
  });

  it("a branch that stops being a pickup place says so", async () => {
    expect((await put("minami", { pickup: false })).status).toBe(200);
    expect(await (await call("/branches/minami")).text()).toContain("予約資料の受け取り</dt><dd>できません");
    expect((await put("minami", { pickup: true })).status).toBe(200);
  });

  it.each([
    ["nothing to change", {}, "変更する項目を指定してください。"],
    ["a phone with letters", { phone: "call us" }, "電話番号は半角で"],
    ["an empty name", { name: "" }, "館名を入力してください。"],
    ["a long address", { address: "あ".repeat(201) }, "200文字以内"],
  ])("refuses %s with 400 and changes nothing", async (_name, body, message) => {
    const before = await env.DB.prepare("SELECT * FROM branches WHERE code = 'kita'").first();
    const res = await put("kita", body);
    expect(res.status).toBe(400);
    const err = (await res.json()) as { error: { code: string; message: string; fields?: Record<string, string> } };
    expect(err.error.code).toBe("invalid_request");
    expect(JSON.stringify(err.error)).toContain(message);
    expect(await env.DB.prepare("SELECT * FROM branches WHERE code = 'kita'").first()).toEqual(before);
  });

  it("an unknown branch is 404 not_found; without the staff token 401", async () => {
    const res = await put("nowhere", { name: "どこにもない館" });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
    const anon = await call("/api/v1/admin/branches/kita", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "乗っ取り" }),
    });
    expect(anon.status).toBe(401);
  });

  it("POST /api/v1/admin/branches takes the contact fields too", async () => {
    const res = await call("/api/v1/admin/branches", {
      method: "POST",
      headers: ADMIN,
      body: JSON.stringify({ code: "eki", name: "駅前分室", pickup: false, address: "みなみ市駅前1-1", phone: "0993001006" }),
    });
    expect(res.status).toBe(201);
    const html = await (await call("/branches/eki")).text();
    expect(html).toContain("みなみ市駅前1-1");
    expect(html).toContain('<a href="tel:0993001006">0993001006</a>');
  });
});

describe("staff page 館の情報", () => {
  const staffCookie = async () =>
    cookiesFrom(await call("/admin/login", formPost({ staffName: "山田 司書", token: "test-admin-token" })));

  it("shows each branch's fields filled in and saves a change from its form", async () => {
    const cookie = await staffCookie();
    const page = await (await call("/admin/branches", { headers: { Cookie: cookie } })).text();
    expect(page).toContain('value="〒897-0001 みなみ市中央町1-1"');
    const res = await call(
      "/admin/branches/umibe",
      formPost(
        {
          name: "うみべ分館",
          address: "〒897-0401 みなみ市海辺町7-3",
          phone: "0993-00-3005",
          hours: "火〜土 10:00〜16:00",
          pickup: "1",
        },
        cookie,
      ),
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("うみべ分館 の情報を変更しました。");
    const row = await env.DB.prepare("SELECT address, phone, hours, pickup FROM branches WHERE code = 'umibe'").first();
    expect(row).toEqual({
      address: "〒897-0401 みなみ市海辺町7-3",
      phone: "0993-00-3005",
      hours: "火〜土 10:00〜16:00",
      pickup: 1,
    });
  });

  it("a bad phone number is refused on the page in Japanese and nothing changes", async () => {
    const cookie = await staffCookie();
    const before = await env.DB.prepare("SELECT * FROM branches WHERE code = 'umibe'").first();
    const res = await call("/admin/branches/umibe", formPost({ name: "うみべ分館", phone: "unknown", pickup: "1" }, cookie));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("電話番号は半角で");
    expect(await env.DB.prepare("SELECT * FROM branches WHERE code = 'umibe'").first()).toEqual(before);
  });
});
