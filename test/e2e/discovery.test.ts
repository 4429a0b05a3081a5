// The discovery pages of issue 10 in headless Chromium at 360 px: the top page (search box first, today's
// opening, 新着資料), 新着資料 with its filters and feeds, the rankings, the calendar per branch; nothing
// wider than the phone, axe finds no WCAG 2.1 AA violation.
import { describe, expect, it } from "vitest";
import { axeViolations, browserAvailable, PHONE, shot, useLibrary } from "./harness";

describe.skipIf(!browserAvailable)("discovery pages in a phone browser", () => {
  const lib = useLibrary();

  it("top page, 新着資料, rankings and the calendar fit 360 px and pass axe", async () => {
    const context = await lib.browser.newContext({ ...PHONE, bypassCSP: true });
    const page = await context.newPage();
    const width = () => page.evaluate(() => document.documentElement.scrollWidth);
    const problems: string[] = [];
    for (const [path, name] of [
      ["/", "top"],
      ["/new-arrivals?ndc=9", "new-arrivals"],
      ["/rankings?kind=borrowed", "rankings"],
      ["/calendar?branch=kita", "calendar"],
    ] as const) {
      await page.goto(`${lib.server.url}${path}`);
      expect(await width(), path).toBeLessThanOrEqual(360);
      problems.push(...(await axeViolations(page)).map((v) => `${path} ${v}`));
      await page.screenshot({ path: shot(`discovery-${name}`), fullPage: true });
    }
    expect(problems).toEqual([]);
    // The top page leads with the search box, and says which branches are open today.
    await page.goto(`${lib.server.url}/`);
    const order = await page.evaluate(() => {
      const main = document.querySelector("main") as HTMLElement;
      const search = main.querySelector('[role="search"]') as HTMLElement;
      const today = main.querySelector("#today-heading") as HTMLElement;
      return search.compareDocumentPosition(today) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    expect(order).toBeTruthy();
    // 新着資料 names its feeds for the browser.
    await page.goto(`${lib.server.url}/new-arrivals`);
    expect(await page.locator('link[rel="alternate"][type="application/atom+xml"]').getAttribute("href")).toBe("/feeds/new.atom");
    await context.close();
  });
});
