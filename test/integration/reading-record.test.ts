// 読書記録 through the Worker: off by default; on, the returns at the counter (and from the library system's
// loans import, same statements) are kept for the patron alone; deleting one or all; off deletes everything
// at once; staff (token or staff page) cannot read it; the nightly privacy deletion unchanged for everyone.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { tokyoDate } from "../../src/domain/calendar";
import { runNightly } from "../../src/jobs/nightly";
import { returnStatements } from "../../src/reservations/loans";
import { loadCatalog } from "../support/catalog";
import { call } from "../support/http";
import { apiLogin, cookiesFrom, createPatron, formPost, type TestPatron, withToken } from "../support/patrons";

beforeAll(loadCatalog);

const DAY = 24 * 60 * 60 * 1000;
const ADMIN = { Authorization: "Bearer test-admin-token" };

let serial = 0;
const freshAddress = () => {
  serial += 1;
  return `198.51.${serial >> 8}.${(serial & 255) + 1}`;
};

interface RecordJson {
  enabled: boolean;
  items: Array<{ id: number; materialId: number | null; title: string; loanedOn: string; returnedOn: string }>;
}

async function apiPatron(): Promise<TestPatron & { token: string }> {
  const p = await createPatron({ mustChange: false, password: "Yomu2718" });
  const { body } = await apiLogin(p, freshAddress());
  if (!body.token) throw new Error("test patron could not log in");
  return { ...p, token: body.token };
}

async function me<T>(token: string, method: string, path = "/api/v1/me/reading-record", body?: unknown) {
  const res = await call(path, withToken(token, method, body));
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

const record = async (token: string) => (await me<RecordJson>(token, "GET")).body;

/** A copy of a new material lent to the patron at the counter (through the staff API), loaned 10 days ago. */
async function lent(patronId: number, title: string): Promise<{ loanId: number; materialId: number }> {
  const m = await env.DB.prepare(
    "INSERT INTO materials (title, author, type, title_sort, title_norm) VALUES (?, '読書 太郎', 'book', ?, ?) RETURNING id",
  )
    .bind(title, title, title)
    .first<{ id: number }>();
  const item = await env.DB.prepare(
    "INSERT INTO items (material_id, branch_code, barcode, status, loanable) VALUES (?, 'central', ?, 'on_loan', 1) RETURNING id",
  )
    .bind(m?.id, `RR${Date.now()}${Math.random().toString().slice(2, 8)}`)
    .first<{ id: number }>();
  const loan = await env.DB.prepare(
    "INSERT INTO loans (item_id, patron_id, loaned_at, due_date) VALUES (?, ?, ?, ?) RETURNING id",
  )
    .bind(item?.id, patronId, Date.now() - 10 * DAY, tokyoDate(Date.now() + 4 * DAY))
    .first<{ id: number }>();
  return { loanId: loan?.id as number, materialId: m?.id as number };
}

const returnAtCounter = (loanId: number) => call(`/api/v1/admin/loans/${loanId}/return`, { method: "POST", headers: ADMIN });

const entriesInDb = async (patronId: number) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM reading_records WHERE patron_id = ?").bind(patronId).first<{ n: number }>())
    ?.n;

describe("読書記録 through the API", () => {
  it("is off by default, and a return then keeps nothing", async () => {
    const p = await apiPatron();
    expect(await record(p.token)).toEqual({ enabled: false, items: [] });
    const { loanId } = await lent(p.id, "記録しない本");
    expect((await returnAtCounter(loanId)).status).toBe(200);
    expect(await record(p.token)).toEqual({ enabled: false, items: [] });
    expect(await entriesInDb(p.id)).toBe(0);
  });

  it("on: each return from then on is kept, newest first, with its dates; other patrons' are not", async () => {
    const p = await apiPatron();
    const other = await apiPatron();
    const before = await lent(p.id, "始める前に返した本");
    await returnAtCounter(before.loanId);
    const on = await me<RecordJson>(p.token, "PUT", undefined, { enabled: true });
    expect(on.status).toBe(200);
    expect(on.body).toEqual({ enabled: true, items: [] });

    const first = await lent(p.id, "記録する本その一");
    const second = await lent(p.id, "記録する本その二");
    const others = await lent(other.id, "ほかの人の本");
    await returnAtCounter(first.loanId);
    await returnAtCounter(second.loanId);
    await returnAtCounter(others.loanId);
    // A second return of the same loan changes nothing (404 from the counter, no second entry).
    expect((await returnAtCounter(first.loanId)).status).toBe(404);

    const r = await record(p.token);
    expect(r.enabled).toBe(true);
    expect(r.items.map((e) => e.title)).toEqual(["記録する本その二", "記録する本その一"]);
    expect(r.items[1]).toMatchObject({
      materialId: first.materialId,
      author: "読書 太郎",
      loanedOn: tokyoDate(Date.now() - 10 * DAY),
      returnedOn: tokyoDate(Date.now()),
    });
    expect((await record(other.token)).items).toEqual([]);
  });

  it("a return by the library system's loans import (the same return statements) is kept too, once", async () => {
    const p = await apiPatron();
    await me(p.token, "PUT", undefined, { enabled: true });
    const a = await lent(p.id, "取込で返却された本");
    const b = await lent(p.id, "取込で返却されたもう一冊");
    // What the import consumer runs for the open loans a full export left out (src/imports/consumer.ts).
    await env.DB.batch(returnStatements(env.DB, [a.loanId, b.loanId], Date.now()));
    await env.DB.batch(returnStatements(env.DB, [a.loanId, b.loanId], Date.now())); // a redelivered slice
    expect((await record(p.token)).items.map((e) => e.title).sort()).toEqual(["取込で返却されたもう一冊", "取込で返却された本"]);
  });

  it("deletes one entry, refuses another patron's, deletes all", async () => {
    const p = await apiPatron();
    const other = await apiPatron();
    await me(p.token, "PUT", undefined, { enabled: true });
    for (const t of ["削除テスト一", "削除テスト二", "削除テスト三"]) await returnAtCounter((await lent(p.id, t)).loanId);
    const [newest, middle] = (await record(p.token)).items;

    // Someone else's entry is "not found" and stays.
    const foreign = await me<{ error: { code: string } }>(other.token, "DELETE", `/api/v1/me/reading-record/${newest?.id}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe("not_found");
    expect((await me(p.token, "DELETE", "/api/v1/me/reading-record/abc")).status).toBe(404);

    expect((await me(p.token, "DELETE", `/api/v1/me/reading-record/${middle?.id}`)).status).toBe(204);
    expect((await record(p.token)).items.map((e) => e.title)).toEqual(["削除テスト三", "削除テスト一"]);
    expect((await me(p.token, "DELETE", `/api/v1/me/reading-record/${middle?.id}`)).status).toBe(404);

    expect((await me(p.token, "DELETE")).status).toBe(204);
    expect(await record(p.token)).toEqual({ enabled: true, items: [] });
  });

  it("off deletes every entry at once; turning it on again starts empty", async () => {
    const p = await apiPatron();
    await me(p.token, "PUT", undefined, { enabled: true });
    await returnAtCounter((await lent(p.id, "やめる前の本")).loanId);
    expect(await entriesInDb(p.id)).toBe(1);
    const off = await me<RecordJson>(p.token, "PUT", undefined, { enabled: false });
    expect(off.body).toEqual({ enabled: false, items: [] });
    expect(await entriesInDb(p.id)).toBe(0);
    await returnAtCounter((await lent(p.id, "やめた後の本")).loanId);
    expect(await entriesInDb(p.id)).toBe(0);
    expect((await me<RecordJson>(p.token, "PUT", undefined, { enabled: true })).body.items).toEqual([]);
  });

  it("bad input is the contract's error and changes nothing", async () => {
    const p = await apiPatron();
    for (const body of [{}, { enabled: "yes" }, { enabled: 1 }]) {
      const res = await me<{ error: { code: string; fields: Record<string, string> } }>(p.token, "PUT", undefined, body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
      expect(res.body.error.fields.enabled).toMatch(/読書記録/);
    }
    expect((await record(p.token)).enabled).toBe(false);
    const anonymous = await call("/api/v1/me/reading-record");
    expect(anonymous.status).toBe(401);
  });
});

describe("読書記録 is the patron's alone", () => {
  it("a staff token is no patron: every reading-record route answers 401", async () => {
    for (const [method, path] of [
      ["GET", "/api/v1/me/reading-record"],
      ["PUT", "/api/v1/me/reading-record"],
      ["DELETE", "/api/v1/me/reading-record"],
      ["DELETE", "/api/v1/me/reading-record/1"],
    ] as const) {
      const res = await call(path, {
        method,
        headers: { ...ADMIN, "content-type": "application/json" },
        ...(method === "PUT" ? { body: JSON.stringify({ enabled: true }) } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(401);
    }
  });

  it("no staff page or staff API shows a kept title", async () => {
    const p = await apiPatron();
    await me(p.token, "PUT", undefined, { enabled: true });
    const title = `職員に見えない本${Date.now()}`;
    const returned = await returnAtCounter((await lent(p.id, title)).loanId);
    expect(await returned.text()).not.toContain(title);
    expect((await record(p.token)).items[0]?.title).toBe(title);

    const login = await call("/admin/login", formPost({ staffName: "山田 司書", token: "test-admin-token" }));
    const staff = cookiesFrom(login);
    for (const path of ["/admin", "/admin/counter", "/admin/mail", "/admin/status", `/admin/counter?card=${p.cardNumber}`]) {
      const html = await (await call(path, { headers: { Cookie: staff } })).text();
      expect(html, path).not.toContain(title);
    }
    // The patron's page with the staff cookie alone: the login page, not the record.
    const asStaff = await call("/account/reading-record", { headers: { Cookie: staff }, redirect: "manual" });
    expect(asStaff.status).toBe(303);
    expect(asStaff.headers.get("Location")).toMatch(/^\/login/);
    for (const path of ["/api/v1/admin/mail", "/api/v1/admin/status"]) {
      const body = await (await call(path, { headers: ADMIN })).text();
      expect(body, path).not.toContain(title);
    }
  });

  it("the nightly privacy deletion forgets every returned loan's patron, and the record stays its owner's", async () => {
    const keeps = await apiPatron();
    const forgets = await apiPatron();
    await me(keeps.token, "PUT", undefined, { enabled: true });
    const a = await lent(keeps.id, "夜を越える記録");
    const b = await lent(forgets.id, "夜に忘れられる貸出");
    await returnAtCounter(a.loanId);
    await returnAtCounter(b.loanId);
    await runNightly(env.DB, tokyoDate(Date.now()), Date.now());
    const loans = await env.DB.prepare("SELECT patron_id AS patronId FROM loans WHERE id IN (?, ?)")
      .bind(a.loanId, b.loanId)
      .all<{ patronId: number | null }>();
    expect(loans.results.map((l) => l.patronId)).toEqual([null, null]);
    expect((await record(keeps.token)).items.map((e) => e.title)).toEqual(["夜を越える記録"]);
    expect((await record(forgets.token)).items).toEqual([]);
  });
});

describe("読書記録 as pages, without JavaScript", () => {
  async function jar(): Promise<{ patron: TestPatron; cookie: string }> {
    const patron = await createPatron({ mustChange: false, password: "Yomu2718" });
    const res = await call("/login", {
      ...formPost({ cardNumber: patron.cardNumber, password: patron.password }),
      headers: { ...(formPost({}).headers as Record<string, string>), "CF-Connecting-IP": freshAddress() },
    });
    expect(res.status).toBe(303);
    return { patron, cookie: cookiesFrom(res) };
  }
  const post = (path: string, fields: Record<string, string>, cookie: string) => call(path, formPost(fields, cookie));
  const html = async (cookie: string) => (await call("/account/reading-record", { headers: { Cookie: cookie } })).text();

  it("starts, lists, deletes one, refuses off and delete-all without the tick, then stops", async () => {
    const { patron, cookie } = await jar();
    expect(await (await call("/account", { headers: { Cookie: cookie } })).text()).toContain('href="/account/reading-record"');
    expect(await html(cookie)).toContain("記録しない");

    const on = await post("/account/reading-record", { enabled: "1" }, cookie);
    expect(on.status).toBe(303);
    expect(on.headers.get("Location")).toBe("/account/reading-record?done=on");
    await returnAtCounter((await lent(patron.id, "ページで見る本一")).loanId);
    await returnAtCounter((await lent(patron.id, "ページで見る本二")).loanId);
    const listed = await html(cookie);
    expect(listed).toContain("ページで見る本一");
    expect(listed).toContain("ページで見る本二");

    const id = (
      await env.DB.prepare("SELECT id FROM reading_records WHERE patron_id = ? AND title = ?")
        .bind(patron.id, "ページで見る本一")
        .first<{ id: number }>()
    )?.id;
    const deleted = await post("/account/reading-record/delete", { id: String(id) }, cookie);
    expect(deleted.status).toBe(303);
    expect(await html(cookie)).not.toContain("ページで見る本一");
    const again = await post("/account/reading-record/delete", { id: String(id) }, cookie);
    expect(again.status).toBe(404);
    expect(await again.text()).toContain("指定された記録は見つかりませんでした。");

    for (const [path, fields] of [
      ["/account/reading-record", { enabled: "0" }],
      ["/account/reading-record/delete", { all: "1" }],
    ] as const) {
      const refused = await post(path, fields, cookie);
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain("確認のチェックを入れてから");
      expect(await entriesInDb(patron.id)).toBe(1);
    }
    const bad = await post("/account/reading-record", { enabled: "maybe" }, cookie);
    expect(bad.status).toBe(400);

    const off = await post("/account/reading-record", { enabled: "0", confirm: "1" }, cookie);
    expect(off.headers.get("Location")).toBe("/account/reading-record?done=off");
    expect(await entriesInDb(patron.id)).toBe(0);
    const shown = await call("/account/reading-record?done=off", { headers: { Cookie: cookie } });
    expect(await shown.text()).toContain("これまでの記録をすべて削除しました");
  });

  it("the help page says what the record is, in the JLA's words", async () => {
    const page = await (await call("/help/reservations")).text();
    expect(page).toContain('id="reading-record"');
    expect(page).toContain("図書館は利用者の秘密を守る");
    expect(page).toContain("利用者の読書事実を外部に漏らさない");
  });
});
