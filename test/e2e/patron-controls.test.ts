// The account controls and the rough edges of issue 9 in headless Chromium at 360 px, with and without
// JavaScript: 貸出延長 (one and all), 取置期限の延長, 予約の変更, 取消実行 with its confirmation, tap targets of
// at least 44 px, and (with JavaScript) paging that shows and focuses the new results, the title following
// the query, 詳細検索 closing after a search, and 「資料検索へ」 going back to the results.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { axeViolations, browserAvailable, PHONE, shot, useLibrary } from "./harness";

const ADMIN = { Authorization: "Bearer e2e-admin-token", "content-type": "application/json" };
const NEW_PASSWORD = "Yomu2718";

describe.skipIf(!browserAvailable)("a patron's account controls in a phone browser", () => {
  const lib = useLibrary();
  const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(`${lib.server.url}${path}`, init);
    if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const staff = <T>(path: string, body: unknown) =>
    api<T>(`/api/v1/admin${path}`, { method: "POST", headers: ADMIN, body: JSON.stringify(body) });

  /** Lendable copies on the shelf, one per material, from the catalog's own JSON. */
  async function freeCopies(n: number, skip: number): Promise<Array<{ materialId: number; itemId: number }>> {
    const found = await api<{ items: Array<{ id: number; reservable: boolean }> }>("/api/v1/materials?q=%E3%81%AE&perPage=50");
    const out: Array<{ materialId: number; itemId: number }> = [];
    for (const m of found.items.slice(skip)) {
      const d = await api<{ holdings: Array<{ itemId: number; status: string; loanable: boolean }> }>(
        `/api/v1/materials/${m.id}`,
      );
      const copy = d.holdings.find((h) => h.status === "available" && h.loanable);
      if (copy && m.reservable) out.push({ materialId: m.id, itemId: copy.itemId });
      if (out.length === n) break;
    }
    return out;
  }

  /** The patron's credentials changed through the API, two loans and one hold made by staff. */
  async function prepare(card: string, temporary: string, skip: number) {
    const { token } = await api<{ token: string }>("/api/v1/session", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ cardNumber: card, password: temporary }),
    });
    await api("/api/v1/me/credentials", {
      method: "PUT",
      headers: { Authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        currentPassword: temporary,
        email: `${card}@example.jp`,
        emailConfirm: `${card}@example.jp`,
        password: NEW_PASSWORD,
        passwordConfirm: NEW_PASSWORD,
        contactMethod: "mail",
      }),
    });
    const [a, b, held, waiting] = await freeCopies(4, skip);
    // Lent a while ago: due in three days, so a renewal moves the due date.
    const due = new Date(Date.now() + (9 + 72) * 3600 * 1000).toISOString().slice(0, 10);
    for (const loan of [a, b]) await staff("/loans", { cardNumber: card, itemId: loan?.itemId, dueDate: due });
    const r = await staff<{ id: number }>("/reservations", {
      cardNumber: card,
      materialId: held?.materialId,
      pickupBranch: "kita",
    });
    await staff(`/reservations/${r.id}/hold`, { itemId: held?.itemId });
    await staff("/reservations", { cardNumber: card, materialId: waiting?.materialId, pickupBranch: "central" });
  }

  async function logIn(page: Page, card: string) {
    await page.goto(`${lib.server.url}/login`);
    await page.fill("#cardNumber", card);
    await page.fill("#password", NEW_PASSWORD);
    await page.getByRole("button", { name: "ログイン" }).click();
    await page.waitForURL(/\/account$/);
  }

  /** Controls on the page smaller than 44 × 44 px (links inside running text are exempt, as WCAG allows). */
  const smallTargets = (page: Page) =>
    page.evaluate(() =>
      [...document.querySelectorAll("header a, nav a, button, select, input:not([type=hidden]), label.tick, summary, .button")]
        .filter((e) => (e as HTMLElement).offsetParent !== null && !(e instanceof HTMLInputElement && e.type === "checkbox"))
        .map((e) => ({ e, r: e.getBoundingClientRect() }))
        .filter(({ r }) => r.height < 44 || r.width < 44)
        .map(
          ({ e, r }) =>
            `${e.tagName}${e.id ? `#${e.id}` : ""}${e instanceof HTMLInputElement ? `[${e.type}]` : ""} ${(e.textContent ?? "").trim().slice(0, 20)} ${Math.round(r.width)}×${Math.round(r.height)}`,
        ),
    );

  async function walk(page: Page, card: string, label: string) {
    const width = () => page.evaluate(() => document.documentElement.scrollWidth);
    await logIn(page, card);
    expect(await page.locator("main").textContent()).toContain("お取り置き中の資料が1件あります。");
    expect(await page.locator("header .who").textContent()).toContain("さんがログイン中");

    // 貸出状況: renew all, each with its own result.
    await page.getByRole("link", { name: "貸出状況" }).click();
    await page.waitForURL(/\/account\/loans$/);
    expect(await smallTargets(page)).toEqual([]);
    await page.getByRole("button", { name: /すべて延長する（2件）/ }).click();
    await expect
      .poll(() => page.locator('[role="status"]').textContent())
      .toMatch(/延長しました。新しい返却期限は\d+月\d+日\(.\)です。[\s\S]*延長しました/);
    expect(await page.locator("tbody").textContent()).toContain("延長済み");
    expect(await width()).toBeLessThanOrEqual(360);
    await page.screenshot({ path: shot(`loans-renewed-${label}`), fullPage: true });

    // 予約状況: the hold first, extended once; the waiting one changed and then cancelled after a confirmation.
    await page.goto(`${lib.server.url}/account/reservations`);
    expect(await page.locator("li.held").textContent()).toContain("北部分館でお受け取りください。");
    expect(await smallTargets(page)).toEqual([]);
    await page.screenshot({ path: shot(`reservations-held-${label}`), fullPage: true });
    await page.getByRole("button", { name: /取置期限を延長する/ }).click();
    await expect
      .poll(() => page.locator('[role="status"]').first().textContent())
      .toMatch(/取置期限を\d+月\d+日\(.\)まで延長しました。/);
    expect(await page.locator("li.held").textContent()).toContain("取置期限は延長済みです。");

    await page.locator("tbody tr").first().getByRole("link", { name: /変更/ }).click();
    await page.waitForURL(/\/account\/reservations\/\d+$/);
    expect(await smallTargets(page)).toEqual([]);
    await page.selectOption("#pickupBranch", { label: "うみべ分館" });
    await page.getByRole("button", { name: "変更する" }).click();
    await page.waitForURL(/\/account\/reservations\?changed=\d+$/);
    expect(await page.locator("tbody tr").first().textContent()).toContain("うみべ分館");

    await page.locator("tbody tr").first().locator("label.tick").click();
    await page.getByRole("button", { name: "取消実行" }).click();
    await expect.poll(() => page.locator("h1").textContent()).toBe("予約の取消の確認");
    await page.getByRole("button", { name: "取り消す" }).click();
    await expect.poll(() => page.locator('[role="status"]').first().textContent()).toContain("取消を申請しました");

    // 初期値設定: a default 受取館, then offered first on a material page.
    await page.goto(`${lib.server.url}/account/profile`);
    await page.selectOption("#defaultPickupBranch", { label: "南部分館" });
    await page.getByRole("button", { name: "初期値を保存する" }).click();
    await expect.poll(() => page.locator('[role="status"]').first().textContent()).toContain("初期値を保存しました。");

    // シリーズ予約: two in the cart, 読みたい順 on the confirmation; only the first is applied.
    const series = await freeCopies(2, label === "js" ? 30 : 40);
    for (const m of series) {
      await page.goto(`${lib.server.url}/materials/${m.materialId}`);
      expect(await page.locator("#pickupBranch").inputValue()).toBe("minami");
      await page.getByRole("button", { name: "予約カートに追加" }).click();
      await page.waitForURL(/\/cart\?added=/);
    }
    await page.getByRole("button", { name: "予約申請" }).click();
    await page.waitForURL(/\/cart\/confirm/);
    await page.locator('label[for="modeInOrder"]').click();
    await page.screenshot({ path: shot(`confirm-series-${label}`), fullPage: true });
    await page.getByRole("button", { name: "予約申請" }).click();
    await page.waitForURL(/\/cart\/done\?ids=\d+&series=1/);
    expect(await page.locator("main").textContent()).toContain("シリーズ予約として登録しました");
    await page.goto(`${lib.server.url}/account/reservations`);
    expect(await page.locator("#series-heading").textContent()).toContain("シリーズ予約");
    expect(await page.locator("div.series").textContent()).toContain("順番待ち（前の資料を受け取ると申請します）");
    expect(await width()).toBeLessThanOrEqual(360);
    await page.screenshot({ path: shot(`reservations-series-${label}`), fullPage: true });

    // 館のご案内 from the footer: the branch's phone to call.
    await page.getByRole("link", { name: /館のご案内/ }).click();
    await page.getByRole("link", { name: "北部分館" }).click();
    await page.waitForURL(/\/branches\/kita$/);
    expect(await page.locator('a[href^="tel:"]').textContent()).toBe("0993-00-1002");
    expect(await smallTargets(page)).toEqual([]);
    await page.screenshot({ path: shot(`branch-${label}`), fullPage: true });
  }

  it("with JavaScript, and the search's paging, title, panel and way back", async () => {
    await prepare("2100000001", "kari0001", 0);
    const context = await lib.browser.newContext(PHONE);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(m.text());
    });
    await walk(page, "2100000001", "js");

    await page.goto(`${lib.server.url}/search`);
    expect(await smallTargets(page)).toEqual([]);
    await page.locator("details.advanced summary").click();
    await page.fill("#title", "の");
    await page.getByRole("button", { name: "検索" }).click();
    await page.waitForURL(/\/search\?/);
    await expect.poll(() => page.locator("#results-heading").textContent()).toContain("検索結果");
    // On a phone the panel closes so the results are what one sees.
    await expect.poll(() => page.locator("details.advanced").evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);

    await page.fill("#q", "の");
    await page.press("#q", "Enter");
    await page.waitForURL(/q=%E3%81%AE/);
    await expect.poll(() => page.title()).toContain("「の」の検索結果");
    const next = page.locator("#results nav.pager a", { hasText: "次へ" }).first();
    await next.scrollIntoViewIfNeeded();
    await next.click();
    await page.waitForURL(/page=2/);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("results-heading");
    const top = await page.locator("#results-heading").evaluate((h) => h.getBoundingClientRect().top);
    expect(top).toBeGreaterThanOrEqual(-1);
    expect(top).toBeLessThan(740);
    await page.screenshot({ path: shot("search-page2-js") });

    // 「資料検索へ」 returns to these results, query and page kept.
    const results = page.url();
    await page.locator("ol.results li a.t").first().click();
    await page.waitForURL(/\/materials\/\d+/);
    expect(await page.locator("a[data-back-to-search]").getAttribute("href")).toBe(results);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("axe finds no WCAG 2.1 AA violation on the pages of the account controls, the cart and the branches", async () => {
    const context = await lib.browser.newContext({ ...PHONE, bypassCSP: true });
    const page = await context.newPage();
    await logIn(page, "2100000001");
    // Two in the cart, so the confirmation offers 申請のしかた.
    const found = await freeCopies(2, 20);
    for (const m of found) {
      await page.goto(`${lib.server.url}/materials/${m.materialId}`);
      await page.getByRole("button", { name: "予約カートに追加" }).click();
      await page.waitForURL(/\/cart\?added=/);
    }
    const reservation = await page.evaluate(async () => {
      const r = await fetch("/api/v1/me/reservations", { headers: { Accept: "application/json" } });
      return r.ok ? ((await r.json()) as { items: Array<{ id: number; status: string }> }).items : [];
    });
    const waiting = reservation.find((r) => r.status === "reserved" || r.status === "applied");
    const paths = [
      "/account",
      "/account/reservations",
      "/account/loans",
      "/account/profile",
      "/cart",
      "/cart/confirm",
      "/branches",
      "/branches/central",
      `/materials/${found[0]?.materialId}`,
      "/search?q=%E3%81%AE",
      ...(waiting ? [`/account/reservations/${waiting.id}`] : []),
    ];
    const problems: string[] = [];
    for (const path of paths) {
      await page.goto(`${lib.server.url}${path}`);
      problems.push(...(await axeViolations(page)).map((v) => `${path} ${v}`));
    }
    expect(problems).toEqual([]);
    await context.close();
  });

  it("without JavaScript", async () => {
    await prepare("2100000004", "kari0004", 8);
    const context = await lib.browser.newContext({ ...PHONE, javaScriptEnabled: false });
    const page = await context.newPage();
    await walk(page, "2100000004", "nojs");
    await context.close();
  });
});
