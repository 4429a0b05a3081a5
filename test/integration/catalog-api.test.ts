// The catalog's JSON API as the contract (API.md) defines it: shapes, counts, reservability, errors, headers.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { DEMO_BRANCHES } from "../../scripts/demo/catalog";
import { FIXTURES, idOfTitle, loadCatalog } from "../support/catalog";
import { call, getJson } from "../support/http";

beforeAll(loadCatalog);

interface ErrorBody {
  error: { code: string; message: string; fields?: Record<string, string> };
}

interface Summary {
  id: number;
  title: string;
  author: string | null;
  publisher: string | null;
  year: number | null;
  type: string;
  reservable: boolean;
  availableCount: number;
  holdingCount: number;
  reservationCount: number;
}

interface Page {
  total: number;
  page: number;
  perPage: number;
  items: Summary[];
}

interface HoldingJson {
  itemId: number;
  branch: string;
  branchName: string;
  callNumber: string | null;
  status: string;
  statusLabel: string;
  loanable: boolean;
}

interface Detail {
  id: number;
  title: string;
  type: string;
  latestIssue: boolean;
  reservable: boolean;
  notReservableReason?: string;
  holdings: HoldingJson[];
  reservationCount: number;
  pickupBranches: string[];
}

const JAPANESE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const SUMMARY_KEYS = [
  "author",
  "availableCount",
  "holdingCount",
  "id",
  "publisher",
  "reservable",
  "reservationCount",
  "title",
  "type",
  "year",
];

const sorted = (o: object) => Object.keys(o).sort();

async function findOne(params: Record<string, string>, id: number): Promise<Summary> {
  const { status, body } = await getJson<Page>(`/api/v1/materials?${new URLSearchParams({ perPage: "100", ...params })}`);
  expect(status).toBe(200);
  const found = body.items.find((i) => i.id === id);
  if (!found) throw new Error(`material ${id} not in results for ${JSON.stringify(params)}`);
  return found;
}

function expectInvalid(status: number, body: ErrorBody, field: string | string[]): void {
  expect(status).toBe(400);
  expect(body.error.code).toBe("invalid_request");
  expect(body.error.message).toMatch(JAPANESE);
  const fields = body.error.fields ?? {};
  const names = Array.isArray(field) ? field : [field];
  expect(
    Object.keys(fields).some((k) => names.includes(k)),
    `fields ${JSON.stringify(fields)} name ${names}`,
  ).toBe(true);
  for (const message of Object.values(fields)) expect(message).toMatch(JAPANESE);
}

describe("GET /api/v1/branches", () => {
  it("lists the five branches as exactly [{code,name,pickup}], in the library's order", async () => {
    const { status, body } = await getJson<unknown>("/api/v1/branches");
    expect(status).toBe(200);
    // The test calendar has no opening day today.
    expect(body).toEqual(
      DEMO_BRANCHES.map(({ code, name, pickup, address, phone, hours }) => ({
        code,
        name,
        pickup,
        address,
        phone,
        hours,
        openToday: false,
      })),
    );
    expect(body).toHaveLength(5);
  });
});

describe("GET /api/v1/calendar", () => {
  it("answers {month, days:[{date,open}]} with one entry for each of December's 31 days", async () => {
    const { status, body } = await getJson<{ month: string; days: Array<{ date: string; open: boolean }> }>(
      "/api/v1/calendar?month=2026-12",
    );
    expect(status).toBe(200);
    expect(sorted(body)).toEqual(["days", "month"]);
    expect(body.month).toBe("2026-12");
    expect(body.days).toHaveLength(31);
    for (const d of body.days) expect(sorted(d)).toEqual(["date", "open"]);
    expect(body.days[0]?.date).toBe("2026-12-01");
    expect(body.days[30]?.date).toBe("2026-12-31");
  });

  it("says open for a date the calendar table opens, and closed for dates it does not list", async () => {
    const { body } = await getJson<{ days: Array<{ date: string; open: boolean }> }>("/api/v1/calendar?month=2026-12");
    expect(body.days.find((d) => d.date === "2026-12-01")?.open).toBe(true);
    expect(body.days.find((d) => d.date === "2026-12-02")?.open).toBe(false);
    expect(body.days.filter((d) => d.open)).toHaveLength(1);
  });

  it("says closed for a date the table closes (2026-11-30) in November", async () => {
    const { body } = await getJson<{ days: Array<{ date: string; open: boolean }> }>("/api/v1/calendar?month=2026-11");
    expect(body.days).toHaveLength(30);
    expect(body.days.find((d) => d.date === "2026-11-30")?.open).toBe(false);
  });

  it("shows the current Tokyo month when no month is given", async () => {
    const expected = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 7);
    for (const path of ["/api/v1/calendar", "/api/v1/calendar?month="]) {
      const { status, body } = await getJson<{ month: string; days: Array<{ date: string }> }>(path);
      expect(status).toBe(200);
      expect(body.month).toBe(expected);
      expect(body.days[0]?.date).toBe(`${expected}-01`);
    }
  });

  it.each(["2026-13", "2026-1", "abc", "2026-00", "2026-12-01", "12-2026"])(
    "refuses month=%s with 400 invalid_request naming the month field in Japanese",
    async (month) => {
      const { status, body } = await getJson<ErrorBody>(`/api/v1/calendar?month=${encodeURIComponent(month)}`);
      expect(status).toBe(400);
      expect(sorted(body)).toEqual(["error"]);
      expect(sorted(body.error)).toEqual(["code", "fields", "message"]);
      expect(body.error.code).toBe("invalid_request");
      expect(body.error.message).toMatch(JAPANESE);
      expect(Object.keys(body.error.fields ?? {})).toEqual(["month"]);
      expect(body.error.fields?.month).toMatch(JAPANESE);
    },
  );
});

describe("GET /api/v1/materials", () => {
  it("answers exactly {total,page,perPage,items} and each item with exactly the contract's summary fields", async () => {
    const { status, body } = await getJson<Page>("/api/v1/materials?q=漱石");
    expect(status).toBe(200);
    expect(sorted(body)).toEqual(["items", "page", "perPage", "total", "totalCapped"]);
    expect(body.items.length).toBeGreaterThan(0);
    for (const item of body.items) expect(sorted(item)).toEqual(SUMMARY_KEYS);
  });

  it("defaults to page 1 with 20 per page", async () => {
    const { body } = await getJson<Page>("/api/v1/materials?type=book");
    expect(body.page).toBe(1);
    expect(body.perPage).toBe(20);
    expect(body.items.length).toBeLessThanOrEqual(20);
    expect(body.total).toBeGreaterThan(20);
  });

  it("treats empty parameters as absent, as an empty form field sends them", async () => {
    const { status, body } = await getJson<Page>("/api/v1/materials?q=漱石&page=&perPage=&type=&isbn=&branch=");
    expect(status).toBe(200);
    expect(body.page).toBe(1);
    expect(body.perPage).toBe(20);
  });

  it("counts FIXTURES.coffee's two copies, one on the shelf and one lent out", async () => {
    const coffee = await findOne({ q: "コーヒー" }, FIXTURES.coffee.id);
    expect(coffee).toEqual({
      id: FIXTURES.coffee.id,
      title: FIXTURES.coffee.title,
      author: null,
      publisher: null,
      year: 2020,
      type: "book",
      reservable: true,
      availableCount: 1,
      holdingCount: 2,
      reservationCount: 0,
    });
  });

  it("counts FIXTURES.allLost's two lost copies as held, none available, and not reservable", async () => {
    const lost = await findOne({ q: "行方不明" }, FIXTURES.allLost.id);
    expect(lost.holdingCount).toBe(2);
    expect(lost.availableCount).toBe(0);
    expect(lost.reservable).toBe(false);
  });

  it("marks the latest magazine issue and 禁帯出-only material not reservable in the list too", async () => {
    expect((await findOne({ q: "月刊テスト雑誌" }, FIXTURES.latestIssue.id)).reservable).toBe(false);
    expect((await findOne({ q: "月刊テスト雑誌" }, FIXTURES.backIssue.id)).reservable).toBe(true);
    const ref = await findOne({ q: "郷土資料事典" }, FIXTURES.referenceOnly.id);
    expect(ref.reservable).toBe(false);
    expect(ref.availableCount).toBe(0);
    expect(ref.holdingCount).toBe(2);
  });

  it.each<[string, string, string | string[]]>([
    ["page=0", "page=0", "page"],
    ["page=abc", "page=abc", "page"],
    ["page=-1", "page=-1", "page"],
    ["page=1.5", "page=1.5", "page"],
    ["page=501", "page=501", "page"],
    ["perPage=1000", "perPage=1000", "perPage"],
    ["perPage=0", "perPage=0", "perPage"],
    ["perPage=101", "perPage=101", "perPage"],
    ["type=novel", "type=novel", "type"],
    ["yearFrom=abc", "yearFrom=abc", "yearFrom"],
    ["yearTo=20000", "yearTo=20000", "yearTo"],
    ["yearFrom=2000&yearTo=1990", "yearFrom=2000&yearTo=1990", ["yearFrom", "yearTo"]],
    ["isbn=123", "isbn=123", "isbn"],
    ["isbn with a bad checksum", "isbn=9784003101019", "isbn"],
    ["ndc=abc", "ndc=abc", "ndc"],
    ["available=maybe", "available=maybe", "available"],
    ["sort=random", "sort=random", "sort"],
    ["branch=nosuch (unknown branch)", "branch=nosuch", "branch"],
    ["branch with characters no code has", "branch=%3Cb%3E", "branch"],
    ["q of 201 characters", `q=${encodeURIComponent("あ".repeat(201))}`, "q"],
    ["q with 11 words", `q=${encodeURIComponent("一 二 三 四 五 六 七 八 九 十 十一")}`, "q"],
    ["title of 201 characters", `title=${"a".repeat(201)}`, "title"],
    ["author with 11 words", `author=${encodeURIComponent("a b c d e f g h i j k")}`, "author"],
  ])("refuses %s with 400 invalid_request whose fields name the parameter", async (_name, query, field) => {
    const { status, body } = await getJson<ErrorBody>(`/api/v1/materials?${query}`);
    expectInvalid(status, body, field);
  });

  it("accepts a q of exactly 200 characters and 10 words", async () => {
    expect((await call(`/api/v1/materials?q=${encodeURIComponent("あ".repeat(200))}`)).status).toBe(200);
    expect((await call(`/api/v1/materials?q=${encodeURIComponent("一 二 三 四 五 六 七 八 九 十")}`)).status).toBe(200);
  });

  it.each([[`"`], [`""`], [`*`], [`%`], [`_`], [`\\`], [`、。！？`], ["\u0000"]])(
    "refuses q=%j, which has no letter or digit to search for, with 400 invalid_request naming q",
    async (q) => {
      const { status, body } = await getJson<ErrorBody>(`/api/v1/materials?q=${encodeURIComponent(q)}`);
      expect(status).toBe(400);
      expect(body.error.code).toBe("invalid_request");
      expect(body.error.fields?.q).toMatch(/検索できる文字/);
    },
  );

  it.each([
    [`AND`],
    [`OR`],
    [`NOT 猫`],
    [`NEAR(a b)`],
    [`title:猫`],
    [`{title}: 猫`],
    [`^猫`],
    [`猫"`],
    [`'; DROP TABLE materials; --`],
    [`<script>alert(1)</script>`],
  ])("answers the hostile but valid q=%j with 200, never 500", async (q) => {
    const { status, body } = await getJson<Page>(`/api/v1/materials?q=${encodeURIComponent(q)}`);
    expect(status).toBe(200);
    expect(sorted(body)).toEqual(["items", "page", "perPage", "total", "totalCapped"]);
  });

  it("answers the same hostile text in title, author and publisher with 200", async () => {
    for (const field of ["title", "author", "publisher"]) {
      for (const text of [`NEAR(a b)`, `title:猫`, `'; DROP TABLE materials; --`]) {
        const res = await call(`/api/v1/materials?${field}=${encodeURIComponent(text)}`);
        expect(res.status, `${field}=${text}`).toBe(200);
      }
    }
  });

  it("answers q containing a NUL byte beside a word with 200 or 400, never 500", async () => {
    const res2 = await call("/api/v1/materials?q=%E7%8C%AB%00");
    expect([200, 400]).toContain(res2.status);
  });

  it("leaves the catalog intact after a q that looks like SQL", async () => {
    await call(`/api/v1/materials?q=${encodeURIComponent("'; DROP TABLE materials; --")}`);
    const row = await env.DB.prepare("SELECT count(*) AS n FROM materials").first<{ n: number }>();
    expect(row?.n).toBeGreaterThan(0);
  });

  it("finds the hostile fixture by its text, matching words not markup", async () => {
    const hostile = await findOne({ q: "きけん" }, FIXTURES.hostile.id);
    expect(hostile.title).toBe(FIXTURES.hostile.title);
    expect(hostile.author).toBe(FIXTURES.hostile.author);
  });
});

describe("GET /api/v1/materials/:id", () => {
  const MATERIAL_FIELDS = [
    "id",
    "title",
    "titleKana",
    "author",
    "authorKana",
    "publisher",
    "year",
    "isbn",
    "ndc",
    "subject",
    "series",
    "type",
    "magazineTitle",
    "latestIssue",
  ];

  it("answers the material's fields with reservable, holdings, reservationCount and pickupBranches", async () => {
    const id = idOfTitle("こころ");
    const { status, body } = await getJson<Detail & Record<string, unknown>>(`/api/v1/materials/${id}`);
    expect(status).toBe(200);
    for (const key of [...MATERIAL_FIELDS, "reservable", "holdings", "reservationCount", "pickupBranches"]) {
      expect(body, key).toHaveProperty(key);
    }
    expect(body.id).toBe(id);
    expect(body.title).toBe("こころ");
    expect(body.reservable).toBe(true);
    expect(body).not.toHaveProperty("notReservableReason");
    expect(body.reservationCount).toBe(0);
    expect(body.pickupBranches).toEqual(DEMO_BRANCHES.filter((b) => b.pickup).map((b) => b.code));
  });

  it("lists each holding as {itemId,branch,branchName,callNumber,status,statusLabel,loanable,dueDate} with Japanese labels", async () => {
    const { body } = await getJson<Detail>(`/api/v1/materials/${FIXTURES.coffee.id}`);
    expect(body.holdings).toHaveLength(2);
    for (const h of body.holdings) {
      expect(sorted(h)).toEqual(["branch", "branchName", "callNumber", "dueDate", "itemId", "loanable", "status", "statusLabel"]);
    }
    expect(body.holdings.map((h) => [h.branch, h.branchName, h.status, h.statusLabel, h.loanable, h.callNumber])).toEqual([
      ["central", "中央図書館", "available", "在架", true, "913/テ"],
      ["umibe", "うみべ分館", "on_loan", "貸出中", true, "913/テ"],
    ]);
  });

  it("labels lost and damaged copies 行方不明 and 破損", async () => {
    const { body } = await getJson<Detail>(`/api/v1/materials/${FIXTURES.allLost.id}`);
    expect(body.holdings.map((h) => [h.status, h.statusLabel])).toEqual([
      ["missing", "行方不明"],
      ["damaged", "破損"],
    ]);
  });

  it.each<[string, number, string]>([
    ["the latest magazine issue", FIXTURES.latestIssue.id, "latest_issue"],
    ["禁帯出-only material", FIXTURES.referenceOnly.id, "reading_room_only"],
    ["material whose copies are all lost", FIXTURES.allLost.id, "no_loanable_item"],
    ["material with no copies", FIXTURES.noCopies.id, "no_loanable_item"],
  ])("refuses %s: reservable false with notReservableReason %s", async (_name, id, reason) => {
    const { status, body } = await getJson<Detail>(`/api/v1/materials/${id}`);
    expect(status).toBe(200);
    expect(body.reservable).toBe(false);
    expect(body.notReservableReason).toBe(reason);
  });

  it("lets a back issue of the magazine be reserved", async () => {
    const { body } = await getJson<Detail>(`/api/v1/materials/${FIXTURES.backIssue.id}`);
    expect(body.reservable).toBe(true);
    expect(body.latestIssue).toBe(false);
    expect(body).not.toHaveProperty("notReservableReason");
  });

  it("shows 禁帯出 copies as loanable false", async () => {
    const { body } = await getJson<Detail>(`/api/v1/materials/${FIXTURES.referenceOnly.id}`);
    expect(body.holdings.map((h) => h.loanable)).toEqual([false, false]);
  });

  it("answers a material with no copies with an empty holdings list", async () => {
    const { body } = await getJson<Detail>(`/api/v1/materials/${FIXTURES.noCopies.id}`);
    expect(body.holdings).toEqual([]);
  });

  it.each(["999999", "abc", "0", "-1", "1.5", "99999999999"])("answers an unknown id %s with 404 not_found", async (id) => {
    const { status, body } = await getJson<ErrorBody>(`/api/v1/materials/${id}`);
    expect(status).toBe(404);
    expect(body.error.code).toBe("not_found");
    expect(body.error.message).toMatch(JAPANESE);
  });
});

describe("security headers", () => {
  const paths = [
    "/api/v1/branches",
    "/api/v1/calendar?month=2026-12",
    "/api/v1/materials?q=猫",
    `/api/v1/materials/${FIXTURES.coffee.id}`,
    "/api/v1/materials?page=0",
    "/api/v1/materials/999999",
    "/api/v1/nope",
    "/",
    "/search?q=猫",
    "/search?q=x&page=abc",
    `/materials/${FIXTURES.coffee.id}`,
    "/materials/999999",
    "/calendar",
    "/nope",
  ];

  it.each(paths)("sends the security headers on %s", async (path) => {
    const res = await call(encodeURI(path));
    const csp = res.headers.get("Content-Security-Policy") ?? "";
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    const scriptSrc = csp
      .split(";")
      .map((d) => d.trim())
      .find((d) => d.startsWith("script-src"));
    expect(scriptSrc ?? csp).not.toContain("'unsafe-inline'");
    if (!scriptSrc) expect(csp).toContain("default-src");
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    const hsts = /max-age=(\d+)/.exec(res.headers.get("Strict-Transport-Security") ?? "");
    expect(Number(hsts?.[1] ?? 0)).toBeGreaterThanOrEqual(31536000);
    expect(res.headers.get("Referrer-Policy")).toBe("strict-origin-when-cross-origin");
    expect(res.headers.get("Cache-Control")).toBe("private, no-store");
  });
});
