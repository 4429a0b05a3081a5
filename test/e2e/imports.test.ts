// A staff member on a phone (360 px) imports the sample files of test/fixtures/imports: the MARC catalog
// through the imports page, follows the progress to the report with its rejected rows, and then finds
// the records in the catalog with their copies; the copies file in Shift_JIS with the library's mapping.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { root } from "../../scripts/local";
import { browserAvailable, PHONE, shot, useLibrary } from "./harness";

const sample = (name: string) => join(root, "test/fixtures/imports", name);

describe.skipIf(!browserAvailable)("imports on the staff page", () => {
  const lib = useLibrary();

  it("uploads the MARC file, sees the report and the rejected records, and the records are searchable", async () => {
    const context = await lib.browser.newContext(PHONE);
    const page = await context.newPage();
    await page.goto(`${lib.server.url}/admin/login`);
    await page.fill("#staffName", "移行 担当");
    await page.fill("#token", lib.server.adminToken);
    await page.getByRole("button", { name: "ログイン" }).click();
    await page.waitForURL(/\/admin$/);
    await page.getByRole("link", { name: "データ取込" }).click();
    await page.waitForURL(/\/admin\/imports$/);
    await page.selectOption("#kind", "marc");
    await page.setInputFiles("#file", sample("catalog.mrc"));
    await page.screenshot({ path: shot("imports-form-360"), fullPage: true });
    await page.getByRole("button", { name: "取り込む", exact: true }).click();
    await page.waitForURL(/\/admin\/imports\/\d+$/);
    // htmx refreshes the progress part until the run is done.
    await page.locator("#run-progress", { hasText: "完了" }).waitFor({ timeout: 30_000 });
    const report = (await page.locator("main").textContent()) ?? "";
    expect(report).toContain("取り込めなかった行");
    expect(report).toContain("MARCレコードの長さがリーダーと一致しません。");
    expect(report).toContain("所蔵館「nowhere」は登録されていません");
    expect(await page.locator("#run-bar").getAttribute("value")).toBe("100");
    await page.screenshot({ path: shot("imports-report-360"), fullPage: true });
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(wide).toBeLessThanOrEqual(360);

    // The copies file in Shift_JIS with the library's own column names: first the mapping.
    await page.goto(`${lib.server.url}/admin/imports`);
    await page.selectOption("#mapping-kind", "copies");
    await page.fill("#mapping", readFileSync(sample("mapping-copies.json"), "utf8"));
    await page.getByRole("button", { name: "保存する" }).click();
    expect(await page.locator('[role="status"]').textContent()).toContain("対応表を保存しました");

    // A patron finds the imported record with its copies.
    const patron = await lib.browser.newContext(PHONE);
    const p = await patron.newPage();
    await p.goto(`${lib.server.url}/search?q=${encodeURIComponent("図書館のしごと")}`);
    await p.getByRole("link", { name: "図書館のしごと" }).first().click();
    const detail = (await p.locator("main").textContent()) ?? "";
    expect(detail).toContain("山田 花子");
    expect(detail).toContain("北部分館");
    await p.screenshot({ path: shot("imports-detail-360"), fullPage: true });
    await patron.close();
    await context.close();
  });
});
