// A staff morning in headless Chromium: log in with the staff token, run the acceptance, set a copy aside;
// the patron then sees お取り置き with its deadline on 予約状況.
import { beforeAll, describe, expect, it } from "vitest";
import { browserAvailable, PHONE, shot, useLibrary } from "./harness";

describe.skipIf(!browserAvailable)("a staff morning", () => {
  const lib = useLibrary();
  const card = "2100000004";
  const password = "Yoru7351";

  async function api(path: string, init: { method?: string; token?: string; body?: unknown } = {}) {
    const res = await fetch(`${lib.server.url}/api/v1${path}`, {
      method: init.method ?? "GET",
      headers: {
        ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
        ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  }

  beforeAll(async () => {
    // A patron applies through the API: first login, credentials changed, one material with a copy on the shelf.
    const login = await api("/session", { method: "POST", body: { cardNumber: card, password: "kari0004" } });
    const changed = await api("/me/credentials", {
      method: "PUT",
      token: login.body.token as string,
      body: {
        currentPassword: "kari0004",
        email: "bou@example.jp",
        emailConfirm: "bou@example.jp",
        password,
        passwordConfirm: password,
        contactMethod: "mail",
      },
    });
    const token = changed.body.token as string;
    const found = await api(`/materials?q=${encodeURIComponent("漱石")}&available=true`);
    const material = (found.body.items as Array<{ id: number; reservable: boolean }>).find((m) => m.reservable);
    const applied = await api("/me/reservations", {
      method: "POST",
      token,
      body: { materialId: material?.id, pickupBranch: "central" },
    });
    expect(applied.status).toBe(201);
    // The acceptance runs only on opening days: make today one, whatever day the test runs.
    const today = new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10);
    await api(`/admin/calendar/${today}`, { method: "PUT", token: lib.server.adminToken, body: { open: true } });
  });

  it("runs the acceptance, sets the copy aside, and the patron sees お取り置き", async () => {
    const staff = await lib.browser.newContext({ viewport: { width: 1024, height: 800 }, locale: "ja-JP" });
    const page = await staff.newPage();
    await page.goto(`${lib.server.url}/admin`);
    await page.waitForURL(/\/admin\/login$/);
    await page.fill("#staffName", "朝番 職員");
    await page.fill("#token", "wrong");
    await page.getByRole("button", { name: "ログイン" }).click();
    expect(await page.locator('[role="alert"]').textContent()).toContain("トークンが正しくありません");
    await page.fill("#staffName", "朝番 職員");
    await page.fill("#token", lib.server.adminToken);
    await page.getByRole("button", { name: "ログイン" }).click();
    await page.waitForURL(/\/admin$/);
    expect(await page.locator("main").textContent()).toMatch(/1件/);

    await page.getByRole("button", { name: /受付処理を実行/ }).click();
    await expect.poll(() => page.locator('[role="status"]').first().textContent()).toMatch(/予約中 1件/);
    await page.screenshot({ path: shot("staff-dashboard"), fullPage: true });
    await page
      .getByRole("button", { name: /を取り置く$/ })
      .first()
      .click();
    await expect.poll(() => page.locator('[role="status"]').first().textContent()).toMatch(/取り置きました/);
    await staff.close();

    const patron = await lib.browser.newContext(PHONE);
    const p = await patron.newPage();
    await p.goto(`${lib.server.url}/login`);
    await p.fill("#cardNumber", card);
    await p.fill("#password", password);
    await p.getByRole("button", { name: "ログイン" }).click();
    await p.waitForURL(/\/account$/);
    await p.goto(`${lib.server.url}/account/reservations`);
    // お取り置き first, with its deadline (weekday), the branch and its phone.
    const held = p.locator("li.held").first();
    expect(await held.textContent()).toContain("お取り置き");
    expect(await held.textContent()).toMatch(/\d{1,2}月\d{1,2}日\(.\)までに/);
    expect(await held.textContent()).toContain("受取館へご連絡ください");
    expect(await held.locator('a[href^="tel:"]').count()).toBe(1);
    await p.screenshot({ path: shot("patron-on-hold"), fullPage: true });
    await patron.close();
  });
});
