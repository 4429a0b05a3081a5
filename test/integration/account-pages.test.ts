// 利用状況照会 and the cart as HTML pages through the Worker, with cookies and no JavaScript: login, the forced
// first change of credentials, the whole reservation flow, 予約状況 and 貸出状況, logout, escaped patron text.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { addDays, tokyoDate } from "../../src/domain/calendar";
import { jaDateShort } from "../../src/views/format";
import { idOfTitle, loadCatalog } from "../support/catalog";
import { call } from "../support/http";
import { cookiesFrom, createPatron, formPost, type TestPatron } from "../support/patrons";
import { insertLoan, insertReservation, itemOf, reservationsInDb } from "../support/rows";

beforeAll(loadCatalog);

let addressSerial = 0;
const freshAddress = () => {
  addressSerial += 1;
  return `192.0.${Math.floor(addressSerial / 250)}.${(addressSerial % 250) + 1}`;
};

/** A same-origin form post from its own client address (so login throttles of other tests never interfere). */
function post(path: string, fields: Record<string, string | string[]>, cookie?: string): Promise<Response> {
  const init = formPost(fields, cookie);
  init.headers = { ...(init.headers as Record<string, string>), "CF-Connecting-IP": freshAddress() };
  return call(path, init);
}

async function page(path: string, cookie?: string): Promise<{ status: number; html: string; res: Response }> {
  const res = await call(path, { redirect: "manual", ...(cookie ? { headers: { Cookie: cookie } } : {}) });
  return { status: res.status, html: await res.text(), res };
}

const sessionCookieOf = (jar: string) => /(?:^|; )__Host-session=([^;]+)/.exec(jar)?.[1];

/** The opening tag of the element with this id. */
const tagWithId = (html: string, id: string) =>
  new RegExp(`<(?:input|select|textarea)\\b[^>]*\\bid="${id}"[^>]*>`).exec(html)?.[0];

/** The <tr> (or list entry: お取り置き, finished ones) of 予約状況 or 貸出状況 that links to this material. */
function rowOf(html: string, materialId: number): string {
  const row = html.split(/<tr|<li/).find((r) => r.includes(`href="/materials/${materialId}"`));
  if (!row) throw new Error(`no row for material ${materialId}`);
  return row;
}

const credentialsForm = (p: TestPatron, password: string, extra: Record<string, string> = {}) => ({
  currentPassword: p.password,
  email: "reader@example.jp",
  emailConfirm: "reader@example.jp",
  password,
  passwordConfirm: password,
  contactMethod: "mail",
  ...extra,
});

async function logInPage(p: TestPatron, jar = ""): Promise<{ res: Response; jar: string }> {
  const res = await post("/login", { cardNumber: p.cardNumber, password: p.password }, jar || undefined);
  return { res, jar: cookiesFrom(res, jar) };
}

/** A patron with changed credentials, logged in through the login page: the cookie jar. */
async function readyPatronCookie(): Promise<{ patron: TestPatron; jar: string }> {
  const patron = await createPatron({ mustChange: false, password: "Yomu2718" });
  const { res, jar } = await logInPage(patron);
  expect(res.status).toBe(303);
  expect(sessionCookieOf(jar)).toBeDefined();
  return { patron, jar };
}

describe("login", () => {
  it("/account without a session redirects (303) to /login?next=%2Faccount", async () => {
    const { status, res } = await page("/account");
    expect(status).toBe(303);
    expect(res.headers.get("Location")).toBe("/login?next=%2Faccount");
  });

  it("/login has a form with labelled cardNumber and password inputs", async () => {
    const { status, html } = await page("/login?next=%2Faccount");
    expect(status).toBe(200);
    expect(html).toContain('<form action="/login" method="post"');
    for (const name of ["cardNumber", "password"]) {
      const tag = tagWithId(html, name);
      expect(tag, name).toBeDefined();
      expect(tag).toContain(`name="${name}"`);
      expect(html).toContain(`<label for="${name}">`);
    }
    expect(tagWithId(html, "password")).toContain('type="password"');
    expect(html).toContain('<input type="hidden" name="next" value="/account"');
  });

  it("a wrong password answers a 401 page saying 利用者番号またはパスワードが正しくありません。", async () => {
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    const res = await post("/login", { cardNumber: p.cardNumber, password: "Zx9wrong" });
    expect(res.status).toBe(401);
    const html = await res.text();
    expect(html).toContain("利用者番号またはパスワードが正しくありません。");
    expect(res.headers.getSetCookie().some((c) => c.startsWith("__Host-session="))).toBe(false);
  });

  it("an empty form answers a 400 page with the fields' messages", async () => {
    const res = await post("/login", { cardNumber: "", password: "" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('aria-invalid="true"');
  });

  it("the right password of a ready patron redirects to next, and never to another site", async () => {
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    const toLoans = await post("/login", { cardNumber: p.cardNumber, password: p.password, next: "/account/loans" });
    expect(toLoans.status).toBe(303);
    expect(toLoans.headers.get("Location")).toBe("/account/loans");
    const offsite = await post("/login", { cardNumber: p.cardNumber, password: p.password, next: "//evil.example/x" });
    expect(offsite.status).toBe(303);
    expect(offsite.headers.get("Location")).toBe("/account");
  });

  it("after 5 wrong passwords the login page answers 429 with Retry-After and a Japanese message", async () => {
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    for (let i = 0; i < 5; i++) {
      expect((await post("/login", { cardNumber: p.cardNumber, password: `Zx9wrong${i}` })).status).toBe(401);
    }
    const res = await post("/login", { cardNumber: p.cardNumber, password: p.password });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(await res.text()).toContain("ログインの失敗が続いたため、しばらくログインできません。");
    expect(res.headers.getSetCookie().some((c) => c.startsWith("__Host-session="))).toBe(false);
  });

  it("a login form posted from another site is refused (403) and starts no session", async () => {
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    const init = formPost({ cardNumber: p.cardNumber, password: p.password });
    init.headers = { ...(init.headers as Record<string, string>), Origin: "https://evil.example" };
    const res = await call("/login", init);
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie().some((c) => c.startsWith("__Host-session="))).toBe(false);
  });
});

describe("first login with temporary credentials", () => {
  it("goes to the change screen, refuses a guessable password, then accepts a good one with a new session", async () => {
    const p = await createPatron();
    const login = await logInPage(p);
    expect(login.res.status).toBe(303);
    expect(login.res.headers.get("Location")).toBe("/account/profile");
    let jar = login.jar;
    const firstSession = sessionCookieOf(jar);
    expect(firstSession).toBeDefined();

    const elsewhere = await page("/account/reservations", jar);
    expect(elsewhere.status).toBe(303);
    expect(elsewhere.res.headers.get("Location")).toBe("/account/profile?next=%2Faccount%2Freservations");

    const profile = await page("/account/profile", jar);
    expect(profile.status).toBe(200);
    expect(profile.html).toContain("仮パスワード");

    const guessable = await post("/account/profile", credentialsForm(p, "1234"), jar);
    expect(guessable.status).toBe(400);
    const refusedHtml = await guessable.text();
    expect(refusedHtml).toContain("1234 や abcd のような連続した文字は推測されやすいため使えません。");
    expect(refusedHtml).toMatch(/id="newPassword"[^>]*aria-invalid="true"/);

    const cardAsPassword = await post("/account/profile", credentialsForm(p, p.cardNumber.slice(-8)), jar);
    expect(cardAsPassword.status).toBe(400);
    expect(await cardAsPassword.text()).toContain("利用者番号と同じ文字列はパスワードに使えません。");

    const good = await post("/account/profile", credentialsForm(p, "Neko2026"), jar);
    expect(good.status).toBe(303);
    jar = cookiesFrom(good, jar);
    const secondSession = sessionCookieOf(jar);
    expect(secondSession).toBeDefined();
    expect(secondSession).not.toBe(firstSession);

    const name = await env.DB.prepare("SELECT name FROM patrons WHERE id = ?").bind(p.id).first<{ name: string }>();
    const account = await page("/account", jar);
    expect(account.status).toBe(200);
    expect(account.html).toContain(`${name?.name} さん`);

    // The session of the temporary password is over.
    const old = await page("/account", `__Host-session=${firstSession}`);
    expect(old.status).toBe(303);
    expect(old.res.headers.get("Location")).toMatch(/^\/login/);
  });
});

describe("the cart flow without JavaScript", () => {
  it("adds from 資料詳細情報, applies after the forced change of credentials, and cancels on 予約状況", async () => {
    const materialId = idOfTitle("こころ");
    const detail = await page(`/materials/${materialId}`);
    expect(detail.status).toBe(200);
    const form = /<form action="\/cart\/items" method="post">[\s\S]*?<\/form>/.exec(detail.html)?.[0] ?? "";
    expect(form).toContain(`<input type="hidden" name="materialId" value="${materialId}"`);
    expect(form).toContain("予約カートに追加");
    const branch = /<option value="([^"]+)"/.exec(form)?.[1];
    expect(branch).toBeDefined();

    // A guest adds the material: back to 予約カート確認 with a cart cookie.
    const added = await post("/cart/items", { materialId: String(materialId), pickupBranch: branch as string });
    expect(added.status).toBe(303);
    expect(added.headers.get("Location")).toBe(`/cart?added=${materialId}`);
    let jar = cookiesFrom(added);
    expect(jar).toMatch(/__Host-cart=/);

    const cart = await page(`/cart?added=${materialId}`, jar);
    expect(cart.status).toBe(200);
    expect(cart.html).toContain("「こころ」を予約カートに追加しました（受取館：中央図書館）。");
    expect(cart.html).toContain('<form action="/cart/confirm" method="post">');
    expect(cart.html).toContain('<button type="submit">予約申請</button>');
    expect(tagWithId(cart.html, "cardNumber")).toContain('name="cardNumber"');
    expect(tagWithId(cart.html, "password")).toContain('name="password"');

    // 予約申請 with temporary credentials: the change screen first, coming back to the confirmation of
    // what this device's cart held.
    const p = await createPatron();
    const confirm = await post("/cart/confirm", { cardNumber: p.cardNumber, password: p.password }, jar);
    expect(confirm.status).toBe(303);
    const next = `/cart/confirm?items=${materialId}`;
    expect(confirm.headers.get("Location")).toBe(`/account/profile?next=${encodeURIComponent(next)}`);
    jar = cookiesFrom(confirm, jar);
    expect(sessionCookieOf(jar)).toBeDefined();

    const blocked = await page(next, jar);
    expect(blocked.status).toBe(303);
    expect(blocked.res.headers.get("Location")).toBe(`/account/profile?next=${encodeURIComponent(next)}`);

    const profile = await page(`/account/profile?next=${encodeURIComponent(next)}`, jar);
    expect(profile.html).toContain(`<input type="hidden" name="next" value="${next}"`);
    const changed = await post("/account/profile", credentialsForm(p, "Neko2026", { next }), jar);
    expect(changed.status).toBe(303);
    expect(changed.headers.get("Location")).toBe(next);
    jar = cookiesFrom(changed, jar);

    const confirmation = await page(next, jar);
    expect(confirmation.status).toBe(200);
    expect(confirmation.html).toContain("こころ");
    expect(confirmation.html).toContain('<form action="/cart/apply" method="post" hx-boost="true" hx-disable="find button">');
    expect(confirmation.html).toContain('<button type="submit">予約申請</button>');
    expect(await reservationsInDb(p.id)).toEqual([]);

    const applied = await post("/cart/apply", {}, jar);
    // Post/redirect/get: the answer is a done page that can be reloaded.
    expect(applied.status).toBe(303);
    const rows = await reservationsInDb(p.id);
    expect(rows).toEqual([{ id: expect.any(Number), materialId, status: "applied" }]);
    const reservationId = rows[0]?.id as number;
    expect(applied.headers.get("Location")).toBe(`/cart/done?ids=${reservationId}`);
    for (let reload = 0; reload < 2; reload++) {
      const done = await page(`/cart/done?ids=${reservationId}`, jar);
      expect(done.status).toBe(200);
      expect(done.html).toContain("予約申請が完了しました");
      expect(done.html).toContain("こころ");
    }
    expect(await reservationsInDb(p.id)).toHaveLength(1);
    // Another patron's reservation ids show nothing of theirs.
    const other = await readyPatronCookie();
    const foreign = await page(`/cart/done?ids=${reservationId}`, other.jar);
    expect(foreign.status).toBe(303);
    expect(foreign.res.headers.get("Location")).toBe("/account/reservations");

    const status = await page("/account/reservations", jar);
    expect(status.status).toBe(200);
    const row = rowOf(status.html, materialId);
    expect(row).toContain("予約申請中");
    expect(row).toContain(`type="checkbox" name="ids" value="${reservationId}"`);
    expect(status.html).toContain("取消実行");

    // 取消実行 asks once more (a page of its own, without JavaScript too); its form cancels.
    const asked = await post("/account/reservations/cancel", { ids: [String(reservationId)] }, jar);
    expect(asked.status).toBe(200);
    const question = await asked.text();
    expect(question).toContain("次の予約を取り消します。");
    expect((await reservationsInDb(p.id))[0]?.status).toBe("applied");
    expect(question).toContain('<input type="hidden" name="confirmed" value="1"/>');
    const cancelled = await post("/account/reservations/cancel", { ids: [String(reservationId)], confirmed: "1" }, jar);
    expect(cancelled.status).toBe(200);
    const after = await cancelled.text();
    expect(after).toContain("予約申請取消");
    expect(rowOf(after, materialId)).not.toContain('type="checkbox"');
    expect((await reservationsInDb(p.id))[0]?.status).toBe("application_cancelled");
  });

  it("POST /cart/apply without a session goes back to the cart and applies nothing", async () => {
    const res = await post("/cart/apply", {});
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/cart");
  });

  it("a refused application shows the cart again with the reason and keeps it", async () => {
    const { patron, jar } = await readyPatronCookie();
    for (let m = 1; m <= 10; m++) await insertReservation(patron.id, m, m % 2 ? "applied" : "reserved");
    const materialId = idOfTitle("羅生門");
    expect((await post("/cart/items", { materialId: String(materialId), pickupBranch: "central" }, jar)).status).toBe(303);
    const res = await post("/cart/apply", {}, jar);
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(html).toContain("あと0件まで予約できます");
    expect(html).toContain("羅生門");
  });

  it("cancelling with nothing ticked answers 400 with a message", async () => {
    const { patron, jar } = await readyPatronCookie();
    await insertReservation(patron.id, 11, "applied");
    const res = await post("/account/reservations/cancel", {}, jar);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("取り消す予約を選んでください。");
  });
});

describe("予約状況 rows", () => {
  it("お取り置き says to contact the pickup library and has no checkbox; 予約中 shows 予約順位; 予約拒否 shows its reason", async () => {
    const { patron, jar } = await readyPatronCookie();
    const holdUntil = addDays(tokyoDate(Date.now()), 5);
    const onHold = await insertReservation(patron.id, 12, "on_hold", { holdUntil });
    const reserved = await insertReservation(patron.id, 13, "reserved");
    const rejected = await insertReservation(patron.id, 14, "rejected", { reasonCode: "over_limit" });
    const { status, html } = await page("/account/reservations", jar);
    expect(status).toBe(200);

    const holdRow = rowOf(html, 12);
    expect(holdRow).toContain("お取り置き");
    expect(holdRow).toContain("受取館へご連絡ください");
    expect(holdRow).toContain(`${jaDateShort(holdUntil)}までに`);
    expect(holdRow).toContain('<a href="tel:0993001001">0993-00-1001</a>');
    expect(holdRow).not.toContain('type="checkbox"');
    expect(html).not.toContain(`value="${onHold}"`);

    const reservedRow = rowOf(html, 13);
    expect(reservedRow).toContain("予約中");
    expect(reservedRow).toContain("予約順位 1位");
    expect(reservedRow).toContain(`type="checkbox" name="ids" value="${reserved}"`);

    const rejectedRow = rowOf(html, 14);
    expect(rejectedRow).toContain("予約拒否");
    expect(rejectedRow).toContain("（予約できる冊数（窓口での予約を含めて10冊）を超えています。）");
    expect(rejectedRow).not.toContain('type="checkbox"');
    expect(html).not.toContain(`value="${rejected}"`);
  });

  it("cancelling a 予約中 row makes it 取消申請中", async () => {
    const { patron, jar } = await readyPatronCookie();
    const id = await insertReservation(patron.id, 15, "reserved");
    const res = await post("/account/reservations/cancel", { ids: String(id), confirmed: "1" }, jar);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(rowOf(html, 15)).toContain("取消申請中");
    expect(html).toContain("取消を申請しました");
  });

  it("shows an empty 予約状況 as 予約はありません。", async () => {
    const { jar } = await readyPatronCookie();
    expect((await page("/account/reservations", jar)).html).toContain("予約はありません。");
  });
});

describe("貸出状況", () => {
  it("shows each loan's due date and marks an overdue one 返却期限を過ぎています", async () => {
    const { patron, jar } = await readyPatronCookie();
    const today = tokyoDate(Date.now());
    const loanedAt = Date.now() - 10 * 24 * 60 * 60 * 1000;
    await insertLoan(patron.id, await itemOf(16), { loanedAt, dueDate: addDays(today, -1) });
    await insertLoan(patron.id, await itemOf(17), { loanedAt, dueDate: addDays(today, 1) });
    const { status, html } = await page("/account/loans", jar);
    expect(status).toBe(200);
    const overdue = rowOf(html, 16);
    expect(overdue).toContain(jaDateShort(addDays(today, -1)));
    expect(overdue).toContain("返却期限を過ぎています");
    const notYet = rowOf(html, 17);
    expect(notYet).toContain(jaDateShort(addDays(today, 1)));
    expect(notYet).not.toContain("返却期限を過ぎています");
    expect(html).toContain("現在");
  });

  it("shows an empty 貸出状況 as 借りている資料はありません。", async () => {
    const { jar } = await readyPatronCookie();
    expect((await page("/account/loans", jar)).html).toContain("借りている資料はありません。");
  });
});

describe("logout", () => {
  it("POST /logout redirects to the top page, which says so, and clears the session cookie; /account then redirects to /login", async () => {
    const { jar } = await readyPatronCookie();
    const token = sessionCookieOf(jar);
    const res = await post("/logout", {}, jar);
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/?loggedOut=1");
    expect((await page("/?loggedOut=1")).html).toContain("ログアウトしました。");
    expect((await page("/")).html).not.toContain("ログアウトしました。");
    const cleared = res.headers.getSetCookie().find((c) => c.startsWith("__Host-session="));
    expect(cleared).toMatch(/Max-Age=0/i);
    const after = cookiesFrom(res, jar);
    expect(sessionCookieOf(after)).toBeUndefined();

    const account = await page("/account", after || undefined);
    expect(account.status).toBe(303);
    expect(account.res.headers.get("Location")).toBe("/login?next=%2Faccount");

    // The session is ended on the server too: the old cookie no longer works.
    const replay = await page("/account", `__Host-session=${token}`);
    expect(replay.status).toBe(303);
    expect(replay.res.headers.get("Location")).toBe("/login?next=%2Faccount");
  });
});

describe("hostile text", () => {
  it("escapes a patron name with <script> on /account", async () => {
    const { patron, jar } = await readyPatronCookie();
    await env.DB.prepare("UPDATE patrons SET name = ? WHERE id = ?").bind(`<script>alert("x")</script>&"'`, patron.id).run();
    const { status, html } = await page("/account", jar);
    expect(status).toBe(200);
    expect(html).not.toContain('<script>alert("x")</script>');
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&quot;&#39;");
  });
});
