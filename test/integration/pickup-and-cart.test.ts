// 初期値設定 and the cart before applying: the pickup branch offered first (the saved default, else the last
// choice), changing it in the cart and saying so on a re-add, adding from the result list, what would be
// refused shown before submitting, and a guest's cart applied exactly as its confirmation showed.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { classicMaterials, loadCatalog } from "../support/catalog";
import { BASE, call } from "../support/http";
import { apiLogin, cookiesFrom, createPatron, formPost, readyPatron, type TestPatron, withToken } from "../support/patrons";
import { insertActive, insertReservation, reservationsInDb } from "../support/rows";

beforeAll(loadCatalog);

let addressSerial = 0;
const post = (path: string, fields: Record<string, string | string[]>, cookie?: string) => {
  addressSerial += 1;
  const init = formPost(fields, cookie);
  init.headers = {
    ...(init.headers as Record<string, string>),
    "CF-Connecting-IP": `198.18.${addressSerial >> 8}.${addressSerial & 255}`,
  };
  return call(path, init);
};
const page = async (path: string, cookie?: string) => {
  const res = await call(path, { redirect: "manual", ...(cookie ? { headers: { Cookie: cookie } } : {}) });
  return { status: res.status, html: await res.text(), res };
};
/** The value of the option selected in a <select> by id. */
const selected = (html: string, id: string) => {
  const select = new RegExp(`<select[^>]*id="${id}"[^>]*>([\\s\\S]*?)</select>`).exec(html)?.[1] ?? "";
  return /<option value="([^"]*)" selected=""/.exec(select)?.[1];
};

/** Materials no other test in this file uses: one per call. */
let nextMaterial = 0;
const freshMaterial = () => (classicMaterials[nextMaterial++] as { id: number }).id;

async function loggedIn(): Promise<{ patron: TestPatron; jar: string }> {
  const patron = await createPatron({ mustChange: false, password: "Yomu2718" });
  const res = await post("/login", { cardNumber: patron.cardNumber, password: patron.password });
  return { patron, jar: cookiesFrom(res) };
}

describe("初期値設定 (PUT /me/preferences and the page)", () => {
  it("saves the default pickup branch and mail without titles; GET /me shows them", async () => {
    const p = await readyPatron();
    const res = await call(
      "/api/v1/me/preferences",
      withToken(p.token, "PUT", { defaultPickupBranch: "kita", mailWithoutTitles: true }),
    );
    expect(res.status).toBe(200);
    // The reminders by mail (issue 10) are answered beside them, untouched: off until chosen.
    const off = { remindDue: false, remindOverdue: false, remindHold: false };
    expect(await res.json()).toEqual({ defaultPickupBranch: "kita", mailWithoutTitles: true, ...off });
    const me = (await (await call("/api/v1/me", withToken(p.token, "GET"))).json()) as Record<string, unknown>;
    expect(me).toMatchObject({ defaultPickupBranch: "kita", mailWithoutTitles: true });
    // null clears the default; a field left out is kept.
    const cleared = await call("/api/v1/me/preferences", withToken(p.token, "PUT", { defaultPickupBranch: null }));
    expect(await cleared.json()).toEqual({ defaultPickupBranch: null, mailWithoutTitles: true, ...off });
  });

  it.each([
    ["an unknown branch", { defaultPickupBranch: "nowhere" }, "defaultPickupBranch", "指定された受取館はありません。"],
    ["nothing to change", {}, "defaultPickupBranch", "変更する項目を指定してください。"],
    ["a non-boolean", { mailWithoutTitles: "yes" }, "mailWithoutTitles", "メールに資料名を書くかどうかを指定してください。"],
  ])("refuses %s with 400 naming the field, changing nothing", async (_n, body, fieldName, message) => {
    const p = await readyPatron();
    const res = await call("/api/v1/me/preferences", withToken(p.token, "PUT", body));
    expect(res.status).toBe(400);
    const err = (await res.json()) as { error: { code: string; fields: Record<string, string> } };
    expect(err.error.code).toBe("invalid_request");
    expect(err.error.fields[fieldName]).toBe(message);
    const row = await env.DB.prepare("SELECT default_pickup_branch AS d, mail_without_titles AS m FROM patrons WHERE id = ?")
      .bind(p.id)
      .first();
    expect(row).toEqual({ d: null, m: null });
  });

  it("403 until the first-login change, like every other /me route", async () => {
    const p = await createPatron();
    const { body } = await apiLogin(p);
    const res = await call("/api/v1/me/preferences", withToken(body.token as string, "PUT", { defaultPickupBranch: "kita" }));
    expect(res.status).toBe(403);
  });

  it("the 初期値設定 form on 個人情報変更 saves without a password and says so", async () => {
    const { patron, jar } = await loggedIn();
    const profile = await page("/account/profile", jar);
    expect(profile.html).toContain("初期値設定");
    expect(selected(profile.html, "defaultPickupBranch")).toBe("");
    const saved = await post("/account/preferences", { defaultPickupBranch: "minami", mailWithoutTitles: "1" }, jar);
    expect(saved.status).toBe(303);
    expect(saved.headers.get("Location")).toBe("/account/profile?done=preferences");
    const after = await page("/account/profile?done=preferences", jar);
    expect(after.html).toContain("初期値を保存しました。");
    expect(selected(after.html, "defaultPickupBranch")).toBe("minami");
    expect(after.html).toMatch(/id="mailWithoutTitles"[^>]*checked/);
    const bad = await post("/account/preferences", { defaultPickupBranch: "../../x" }, jar);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("受取館を選んでください。");
    const row = await env.DB.prepare("SELECT default_pickup_branch AS d FROM patrons WHERE id = ?").bind(patron.id).first();
    expect(row).toEqual({ d: "minami" });
  });
});

describe("the pickup branch offered first", () => {
  it("is the saved default on the detail page; else the last choice; the first branch for a stranger", async () => {
    const { jar } = await loggedIn();
    const m = freshMaterial();
    expect(selected((await page(`/materials/${m}`)).html, "pickupBranch")).toBe("central");
    // The last choice: what went into the cart last.
    await post("/cart/items", { materialId: String(freshMaterial()), pickupBranch: "higashi" }, jar);
    expect(selected((await page(`/materials/${m}`, jar)).html, "pickupBranch")).toBe("higashi");
    // The saved default wins over the last choice.
    await post("/account/preferences", { defaultPickupBranch: "umibe" }, jar);
    expect(selected((await page(`/materials/${m}`, jar)).html, "pickupBranch")).toBe("umibe");
  });

  it("a guest's cart remembers the last choice too", async () => {
    const first = await post("/cart/items", { materialId: String(freshMaterial()), pickupBranch: "kita" });
    const jar = cookiesFrom(first);
    expect(selected((await page(`/materials/${freshMaterial()}`, jar)).html, "pickupBranch")).toBe("kita");
  });

  it("a patron's last reservation counts as the last choice", async () => {
    const { patron, jar } = await loggedIn();
    await insertReservation(patron.id, freshMaterial(), "reserved", { pickupBranch: "minami" });
    expect(selected((await page(`/materials/${freshMaterial()}`, jar)).html, "pickupBranch")).toBe("minami");
  });

  it("adding from the result list takes the branch offered first; the cart says so and offers to change it", async () => {
    const { jar } = await loggedIn();
    await post("/account/preferences", { defaultPickupBranch: "kita" }, jar);
    const results = await page("/search?q=%E5%90%BE%E8%BC%A9", jar);
    const form = /<form action="\/cart\/items" method="post" class="add">[\s\S]*?<\/form>/.exec(results.html)?.[0] ?? "";
    const materialId = /name="materialId" value="(\d+)"/.exec(form)?.[1] as string;
    expect(form).toContain("カートに追加");
    expect(form).not.toContain("pickupBranch");
    const added = await post("/cart/items", { materialId }, jar);
    expect(added.headers.get("Location")).toBe(`/cart?added=${materialId}`);
    const cart = await page(`/cart?added=${materialId}`, jar);
    expect(cart.html).toContain("を予約カートに追加しました（受取館：北部分館）。");
    expect(selected(cart.html, `pickup-${materialId}`)).toBe("kita");
  });
});

describe("changing the pickup branch in the cart", () => {
  it("a re-add with another branch changes it and says so; the same branch says it is already there", async () => {
    const m = freshMaterial();
    const first = await post("/cart/items", { materialId: String(m), pickupBranch: "central" });
    const jar = cookiesFrom(first);
    const again = await post("/cart/items", { materialId: String(m), pickupBranch: "umibe" }, jar);
    expect(again.status).toBe(303);
    expect(again.headers.get("Location")).toBe(`/cart?changed=${m}`);
    const cart = await page(`/cart?changed=${m}`, jar);
    expect(cart.html).toMatch(/の受取館をうみべ分館に変更しました。/);
    expect(selected(cart.html, `pickup-${m}`)).toBe("umibe");
    const same = await post("/cart/items", { materialId: String(m), pickupBranch: "umibe" }, jar);
    expect(same.headers.get("Location")).toBe(`/cart?kept=${m}`);
    expect((await page(`/cart?kept=${m}`, jar)).html).toContain("はすでに予約カートに入っています（受取館：うみべ分館）。");
  });

  it("the API says which branch a re-add replaced", async () => {
    const p = await readyPatron();
    const m = freshMaterial();
    await call("/api/v1/cart/items", withToken(p.token, "POST", { materialId: m, pickupBranch: "central" }));
    const res = await call("/api/v1/cart/items", withToken(p.token, "POST", { materialId: m, pickupBranch: "kita" }));
    expect(res.status).toBe(201);
    const body = (await res.json()) as { items: Array<{ materialId: number; pickupBranch: string }>; pickupChangedFrom?: string };
    expect(body.pickupChangedFrom).toBe("central");
    expect(body.items.find((i) => i.materialId === m)?.pickupBranch).toBe("kita");
  });

  it("a branch that is not a pickup place is refused and the line keeps its branch", async () => {
    const m = freshMaterial();
    const jar = cookiesFrom(await post("/cart/items", { materialId: String(m), pickupBranch: "kita" }));
    const res = await post("/cart/items", { materialId: String(m), pickupBranch: "nowhere" }, jar);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("受取館を選んでください。");
    expect(selected((await page("/cart", jar)).html, `pickup-${m}`)).toBe("kita");
  });
});

describe("what would be refused, shown before submitting", () => {
  it("the detail page says a material is reserved already, with its status, and offers no add", async () => {
    const { patron, jar } = await loggedIn();
    const m = freshMaterial();
    await insertReservation(patron.id, m, "reserved");
    const html = (await page(`/materials/${m}`, jar)).html;
    expect(html).toContain("この資料はすでに予約しています（予約中）。");
    expect(html).not.toContain('<button type="submit">予約カートに追加</button>');
  });

  it("near the limit the detail page says by how many the cart would pass it; the cart and the confirmation too, with no apply", async () => {
    const { patron, jar } = await loggedIn();
    await insertActive(
      patron.id,
      Array.from({ length: 9 }, () => freshMaterial()),
    );
    const [a, b] = [freshMaterial(), freshMaterial()];
    // 9 active + nothing in the cart: this one fits.
    expect((await page(`/materials/${a}`, jar)).html).not.toContain("このままでは申請できません");
    await post("/cart/items", { materialId: String(a), pickupBranch: "central" }, jar);
    const detail = (await page(`/materials/${b}`, jar)).html;
    expect(detail).toContain(
      "いま予約できるのはあと1件で、予約カートの資料と合わせると1件多いため、このままでは申請できません。",
    );
    await post("/cart/items", { materialId: String(b), pickupBranch: "central" }, jar);
    const cart = (await page("/cart", jar)).html;
    expect(cart).toContain("予約できるのは窓口での予約も含めておひとり10件まで（あと1件）です。1件削除してください。");
    const confirm = await page("/cart/confirm", jar);
    expect(confirm.status).toBe(200);
    expect(confirm.html).toContain("1件削除してください。");
    expect(confirm.html).not.toContain("あと-");
    // Only 読みたい順 is offered then: it applies one at a time, when there is room.
    expect(confirm.html).not.toContain('id="modeEach"');
    expect(confirm.html).toContain('<input type="hidden" name="mode" value="in_order"/>');
    expect(confirm.html).toContain("読みたい順で申請する");
  });

  it("the cart marks a line already reserved (added before the reservation was made elsewhere)", async () => {
    const { patron, jar } = await loggedIn();
    const m = freshMaterial();
    await post("/cart/items", { materialId: String(m), pickupBranch: "central" }, jar);
    await insertReservation(patron.id, m, "applied");
    const cart = (await page("/cart", jar)).html;
    expect(cart).toContain("（すでに予約しています：予約申請中）");
    expect(cart).toContain("すでに予約している資料があります：");
  });

  it("the confirmation counts what is left after applying", async () => {
    const { patron, jar } = await loggedIn();
    await insertActive(patron.id, [freshMaterial(), freshMaterial()]);
    await post("/cart/items", { materialId: String(freshMaterial()), pickupBranch: "central" }, jar);
    expect((await page("/cart/confirm", jar)).html).toContain("申請後の予約可能数：あと7件");
  });
});

describe("a guest's cart applied exactly as shown", () => {
  it("the confirmation after the cart's login shows only this device's lines; they alone are applied, the saved ones stay", async () => {
    const { patron, jar: other } = await loggedIn();
    // Saved earlier on another device.
    const saved = freshMaterial();
    await post("/cart/items", { materialId: String(saved), pickupBranch: "central" }, other);
    // Here, as a guest.
    const here = freshMaterial();
    let jar = cookiesFrom(await post("/cart/items", { materialId: String(here), pickupBranch: "kita" }));
    const confirm = await post("/cart/confirm", { cardNumber: patron.cardNumber, password: patron.password }, jar);
    expect(confirm.status).toBe(303);
    expect(confirm.headers.get("Location")).toBe(`/cart/confirm?items=${here}`);
    jar = cookiesFrom(confirm, jar);
    const shown = await page(`/cart/confirm?items=${here}`, jar);
    expect(shown.html).toContain(`href="/materials/${here}"`);
    expect(shown.html).not.toContain(`href="/materials/${saved}"`);
    expect(shown.html).toContain("以前から予約カートに入っていた資料1件は申請せず、予約カートに残します。");
    const key = /name="applyKey" value="([^"]+)"/.exec(shown.html)?.[1] as string;
    const applied = await post("/cart/apply", { applyKey: key, items: String(here) }, jar);
    expect(applied.status).toBe(303);
    const rows = await reservationsInDb(patron.id);
    expect(rows.map((r) => r.materialId)).toEqual([here]);
    const done = await page(applied.headers.get("Location") as string, jar);
    expect(done.html).toContain("予約カートには、申請していない資料が1件残っています。");
    const cart = await page("/cart", jar);
    expect(cart.html).toContain(`href="/materials/${saved}"`);
  });

  it("when the saved cart would pass the limit, this device's lines still apply if they fit", async () => {
    const { patron, jar: other } = await loggedIn();
    await insertActive(
      patron.id,
      Array.from({ length: 8 }, () => freshMaterial()),
    );
    for (let i = 0; i < 2; i++)
      await post("/cart/items", { materialId: String(freshMaterial()), pickupBranch: "central" }, other);
    const here = freshMaterial();
    let jar = cookiesFrom(await post("/cart/items", { materialId: String(here), pickupBranch: "central" }));
    const confirm = await post("/cart/confirm", { cardNumber: patron.cardNumber, password: patron.password }, jar);
    jar = cookiesFrom(confirm, jar);
    const shown = await page(confirm.headers.get("Location") as string, jar);
    const key = /name="applyKey" value="([^"]+)"/.exec(shown.html)?.[1] as string;
    const applied = await post("/cart/apply", { applyKey: key, items: String(here) }, jar);
    expect(applied.status).toBe(303);
    expect((await reservationsInDb(patron.id)).filter((r) => r.status === "applied").map((r) => r.materialId)).toContain(here);
    expect((await reservationsInDb(patron.id)).length).toBe(9);
  });

  it("the API's apply with card number and password applies the guest cart it came with, not the saved one", async () => {
    const p = await readyPatron();
    const saved = freshMaterial();
    await call("/api/v1/cart/items", withToken(p.token, "POST", { materialId: saved, pickupBranch: "central" }));
    const here = freshMaterial();
    const jar = cookiesFrom(
      await call("/api/v1/cart/items", {
        method: "POST",
        headers: { "content-type": "application/json", Origin: BASE },
        body: JSON.stringify({ materialId: here, pickupBranch: "kita" }),
      }),
    );
    const res = await call("/api/v1/cart/apply", {
      method: "POST",
      headers: { "content-type": "application/json", Cookie: jar, Origin: BASE, "CF-Connecting-IP": "198.19.0.9" },
      body: JSON.stringify({ cardNumber: p.cardNumber, password: p.password }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { reservations: Array<{ materialId: number }> };
    expect(body.reservations.map((r) => r.materialId)).toEqual([here]);
    const cart = (await (await call("/api/v1/cart", withToken(p.token, "GET"))).json()) as {
      items: Array<{ materialId: number }>;
    };
    expect(cart.items.map((i) => i.materialId)).toEqual([saved]);
  });
});
