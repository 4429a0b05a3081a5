// Search → results → paging → detail in headless Chromium at a 360-px phone viewport, with and without JavaScript.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { measureVisits } from "../../scripts/page-weight";
import { browserAvailable, PHONE, shot, useLibrary } from "./harness";

describe.skipIf(!browserAvailable)("the catalog in a phone browser", () => {
  const lib = useLibrary();

  async function fitsThePhone(page: Page) {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, "no sideways scrolling at 360 px").toBeLessThanOrEqual(360);
  }

  it("with JavaScript, searches and pages through results without reloading, then opens a detail page", async () => {
    const context = await lib.browser.newContext(PHONE);
    const page = await context.newPage();
    // A Content-Security-Policy violation or a script error shows up here.
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(m.text());
    });
    page.on("pageerror", (e) => problems.push(e.message));
    await page.goto(`${lib.server.url}/search`);
    await fitsThePhone(page);
    // A marker on window survives htmx swaps but not a full page load.
    await page.evaluate(() => Object.assign(window, { stayedOnPage: true }));
    await page.fill("#q", "漱石");
    await page.press("#q", "Enter");
    await page.waitForURL(/\/search\?q=/);
    await expect.poll(() => page.locator("#results-heading").textContent()).toMatch(/検索結果 \d+件/);
    expect(await page.evaluate(() => (window as unknown as { stayedOnPage?: boolean }).stayedOnPage)).toBe(true);
    expect(await page.locator("ol.results li").count()).toBe(20);
    await page.screenshot({ path: shot("search-js-phone"), fullPage: true });

    await page.getByRole("link", { name: "次へ" }).click();
    await page.waitForURL(/page=2/);
    await expect.poll(() => page.locator("#results-heading").textContent()).toMatch(/21〜/);
    expect(await page.evaluate(() => (window as unknown as { stayedOnPage?: boolean }).stayedOnPage)).toBe(true);

    await page.goBack();
    await expect.poll(() => page.locator("#results-heading").textContent()).toMatch(/1〜20件目/);

    await page.locator("ol.results li a", { hasText: "こころ" }).first().click();
    await page.waitForURL(/\/materials\/\d+/);
    await expect.poll(() => page.locator("h1").textContent()).toBe("資料詳細情報");
    expect(await page.locator("table tbody tr").count()).toBeGreaterThan(0);
    expect(await page.getByRole("button", { name: "予約カートに追加" }).isVisible()).toBe(true);
    expect(await page.locator("select#pickupBranch option").count()).toBe(5);
    await fitsThePhone(page);
    await page.screenshot({ path: shot("detail-phone"), fullPage: true });
    expect(problems, "no console errors or CSP violations").toEqual([]);
    await context.close();
  });

  it("without JavaScript, the same search, paging and detail work with plain links and forms", async () => {
    const context = await lib.browser.newContext({ ...PHONE, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${lib.server.url}/`);
    await page.fill("#q", "漱石");
    await page.press("#q", "Enter");
    await page.waitForURL(/\/search\?q=/);
    expect(await page.locator("#results-heading").textContent()).toMatch(/検索結果 \d+件/);
    expect(await page.locator("ol.results li").count()).toBe(20);
    await page.getByRole("link", { name: "次へ" }).click();
    await page.waitForURL(/page=2/);
    expect(await page.locator("#results-heading").textContent()).toMatch(/21〜/);
    await page.locator("ol.results li a").first().click();
    await page.waitForURL(/\/materials\/\d+/);
    expect(await page.locator("h1").textContent()).toBe("資料詳細情報");
    await fitsThePhone(page);
    await page.screenshot({ path: shot("detail-nojs-phone"), fullPage: true });
    await context.close();
  });

  it("shows why the latest magazine issue cannot be reserved, with no pickup choice or cart button", async () => {
    const context = await lib.browser.newContext(PHONE);
    const page = await context.newPage();
    await page.goto(`${lib.server.url}/search?q=${encodeURIComponent("かごしま暮らし 12月号")}`);
    await page.locator("ol.results li a").first().click();
    await page.waitForURL(/\/materials\/\d+/);
    expect(await page.locator(".notice").textContent()).toContain("雑誌の最新号は予約できません");
    expect(await page.getByRole("button", { name: "予約カートに追加" }).count()).toBe(0);
    expect(await page.locator("select#pickupBranch").count()).toBe(0);
    await context.close();
  });

  it("shows a clear Japanese message for a bad search, also when htmx swaps it in", async () => {
    const context = await lib.browser.newContext(PHONE);
    const page = await context.newPage();
    await page.goto(`${lib.server.url}/search`);
    await page.locator("details.advanced summary").click();
    await page.fill("#isbn", "123");
    await page.press("#isbn", "Enter");
    await expect.poll(() => page.locator("#results").textContent()).toContain("ISBNは10桁または13桁");
    await page.screenshot({ path: shot("search-error-phone"), fullPage: true });
    await context.close();
  });

  it("stays within the page-weight budget: results HTML ≤ 14 KB and a first visit ≤ 30 KB gzipped; a repeat visit fetches only HTML", async () => {
    const { first, repeat } = await measureVisits(
      lib.browser,
      lib.server.url,
      `/search?q=${encodeURIComponent("漱石")}`,
      `/search?q=${encodeURIComponent("宮沢")}`,
    );
    const html = first.find((t) => t.type === "Document");
    expect(html?.gzipBytes).toBeLessThanOrEqual(14 * 1024);
    expect(first.reduce((sum, t) => sum + t.gzipBytes, 0)).toBeLessThanOrEqual(30 * 1024);
    expect(repeat.filter((t) => !t.fromCache).map((t) => t.type)).toEqual(["Document"]);
  });
});
