// A patron's whole first reservation in headless Chromium at a 360-px phone viewport, with and without
// JavaScript: search → detail → cart → login with the temporary password → change → apply → 予約状況 → cancel.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { browserAvailable, PHONE, shot, useLibrary } from "./harness";

describe.skipIf(!browserAvailable)("a patron's first reservation in a phone browser", () => {
  const lib = useLibrary();

  async function walk(page: Page, card: string, temporary: string, label: string) {
    const width = () => page.evaluate(() => document.documentElement.scrollWidth);
    await page.goto(`${lib.server.url}/search`);
    await page.fill("#q", "こころ");
    await page.press("#q", "Enter");
    await page.waitForURL(/\/search\?q=/);
    await page
      .locator("ol.results li a", { hasText: /^こころ$/ })
      .first()
      .click();
    await page.waitForURL(/\/materials\/\d+/);

    await page.selectOption("#pickupBranch", { label: "北部分館" });
    await page.getByRole("button", { name: "予約カートに追加" }).click();
    await page.waitForURL(/\/cart\?added=\d+$/);
    expect(await page.locator("main table").textContent()).toContain("こころ");
    expect(await page.locator("main table").textContent()).toContain("北部分館");
    expect(await width()).toBeLessThanOrEqual(360);
    await page.screenshot({ path: shot(`cart-${label}`), fullPage: true });

    await page.fill("#cardNumber", card);
    await page.fill("#password", temporary);
    await page.getByRole("button", { name: "予約申請" }).click();
    await page.waitForURL(/\/account\/profile\?next=/);
    expect(await page.locator("main").textContent()).toContain("仮のメールアドレスとパスワードで登録されています");

    // The temporary password was typed at the cart a moment ago: the form does not ask for it again.
    expect(await page.locator("#currentPassword").count()).toBe(0);
    await page.fill("#email", `${card}@example.jp`);
    await page.fill("#emailConfirm", `${card}@example.jp`);
    await page.fill("#newPassword", "1234");
    await page.fill("#passwordConfirm", "1234");
    await page.getByRole("button", { name: "変更する" }).click();
    expect(await page.locator("main").textContent()).toContain("推測されやすい");
    await page.screenshot({ path: shot(`profile-error-${label}`), fullPage: true });

    await page.fill("#newPassword", "Hon2026x");
    await page.fill("#passwordConfirm", "Hon2026x");
    await page.getByRole("button", { name: "変更する" }).click();
    await page.waitForURL(/\/cart\/confirm\?items=\d+$/);
    expect(await page.locator("main table").textContent()).toContain("こころ");
    const apply = page.getByRole("button", { name: "予約申請" });
    if (label === "js") {
      // On a slow line the button is disabled while the apply is on its way: a second tap sends nothing.
      await page.route("**/cart/apply", async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 800));
        await route.continue();
      });
      await apply.click();
      await expect.poll(() => apply.isDisabled()).toBe(true);
    } else await apply.click();
    // Post/redirect/get: the done page has its own address and can be reloaded.
    await page.waitForURL(/\/cart\/done\?ids=\d+/);
    await expect.poll(() => page.locator("h1").textContent()).toBe("予約申請が完了しました");
    await page.reload();
    await expect.poll(() => page.locator("h1").textContent()).toBe("予約申請が完了しました");
    expect(await page.locator("main").textContent()).toContain("こころ");

    await page.getByRole("link", { name: "予約状況を見る" }).click();
    await page.waitForURL(/\/account\/reservations$/);
    const row = page.locator("tbody tr", { hasText: "こころ" });
    expect(await row.textContent()).toContain("予約申請中");
    expect(await width()).toBeLessThanOrEqual(360);
    await page.screenshot({ path: shot(`reservations-${label}`), fullPage: true });
    await row.locator('input[type="checkbox"]').check();
    await page.getByRole("button", { name: "取消実行" }).click();
    // 取消実行 asks once more, on its own page.
    await expect.poll(() => page.locator("h1").textContent()).toBe("予約の取消の確認");
    await page.getByRole("button", { name: "取り消す" }).click();
    await expect.poll(() => page.locator("details.finished").textContent()).toContain("予約申請取消");
    expect(await page.locator('[role="status"]').first().textContent()).toContain("予約申請を取り消しました");
  }

  it("with JavaScript", async () => {
    const context = await lib.browser.newContext(PHONE);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    // Script errors and CSP violations; a 400 page for a refused password is expected and not one.
    page.on("console", (m) => {
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(m.text());
    });
    await walk(page, "2100000002", "kari0002", "js");
    expect(problems).toEqual([]);
    await context.close();
  });

  it("without JavaScript", async () => {
    const context = await lib.browser.newContext({ ...PHONE, javaScriptEnabled: false });
    const page = await context.newPage();
    await walk(page, "2100000003", "kari0003", "nojs");
    await context.close();
  });
});
