// Issue 10's patron and staff pages in headless Chromium at 360 px: メールでのお知らせ chosen on 個人情報変更,
// 読書記録 started, filled by a return at the counter, an entry deleted and the record stopped (with the tick),
// 予約状況 saying the last mail did not arrive, and the staff list of patrons whose mail failed; nothing wider
// than the phone, axe finds no WCAG 2.1 AA violation.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { localQuery } from "../../scripts/local";
import { axeViolations, browserAvailable, PHONE, shot, useLibrary } from "./harness";

const CARD = "2100000001";
const EMAIL = `${CARD}@example.jp`;
const PASSWORD = "Yomu2718";
const ADMIN = { Authorization: "Bearer e2e-admin-token", "content-type": "application/json" };

describe.skipIf(!browserAvailable)("notices, 読書記録 and mail failures in a phone browser", () => {
  // A mail to the patron's address (as it will be after the first login) that bounced, in the outbox.
  const lib = useLibrary({
    before: (persistTo) => {
      localQuery(
        `INSERT INTO mail_outbox (idempotency_key, patron_id, to_address, subject, body, kind, status, attempts, last_error, failed_at)
         SELECT 'e2e:bounce', id, '${EMAIL}', '【みなみ市立図書館】予約受付のお知らせ', '本文', 'accepted', 'bounced', 1,
           'bounced: mailbox unavailable', cast(unixepoch('subsec') * 1000 as integer)
         FROM patrons WHERE card_number = '${CARD}'`,
        persistTo,
      );
    },
  });
  const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(`${lib.server.url}${path}`, init);
    if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };

  async function checkPage(page: Page, name: string, problems: string[]) {
    expect(await page.evaluate(() => document.documentElement.scrollWidth), name).toBeLessThanOrEqual(360);
    problems.push(...(await axeViolations(page)).map((v) => `${name} ${v}`));
    await page.screenshot({ path: shot(`notices-${name}`), fullPage: true });
  }

  it("a patron chooses reminders, keeps a reading record and is told the mail bounced; staff see the patron", async () => {
    // First login through the API: the counter's temporary credentials changed.
    const { token } = await api<{ token: string }>("/api/v1/session", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ cardNumber: CARD, password: "kari0001" }),
    });
    await api("/api/v1/me/credentials", {
      method: "PUT",
      headers: { Authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        currentPassword: "kari0001",
        email: EMAIL,
        emailConfirm: EMAIL,
        password: PASSWORD,
        passwordConfirm: PASSWORD,
        contactMethod: "mail",
      }),
    });
    // A copy on the shelf, lent at the counter.
    const found = await api<{ items: Array<{ id: number }> }>("/api/v1/materials?q=%E3%81%AE&perPage=20");
    let itemId = 0;
    let title = "";
    for (const m of found.items) {
      const d = await api<{ title: string; holdings: Array<{ itemId: number; status: string; loanable: boolean }> }>(
        `/api/v1/materials/${m.id}`,
      );
      const copy = d.holdings.find((h) => h.status === "available" && h.loanable);
      if (copy) {
        itemId = copy.itemId;
        title = d.title;
        break;
      }
    }
    const loan = await api<{ id: number }>("/api/v1/admin/loans", {
      method: "POST",
      headers: ADMIN,
      body: JSON.stringify({ cardNumber: CARD, itemId }),
    });

    const context = await lib.browser.newContext({ ...PHONE, bypassCSP: true });
    const page = await context.newPage();
    const problems: string[] = [];
    await page.goto(`${lib.server.url}/login`);
    await page.fill("#cardNumber", CARD);
    await page.fill("#password", PASSWORD);
    await page.getByRole("button", { name: "ログイン" }).click();
    await page.waitForURL(/\/account$/);

    // 予約状況: the bounce, with the way to 「メールが届かない場合は」.
    await page.getByRole("link", { name: "予約状況" }).click();
    const alert = page.locator('[role="alert"]').filter({ hasText: "届きませんでした" });
    expect(await alert.textContent()).toContain("登録のメールアドレスに届きませんでした");
    expect(await alert.getByRole("link", { name: "メールが届かない場合は" }).getAttribute("href")).toBe("/help/mail");
    await checkPage(page, "reservations-bounced", problems);

    // 個人情報変更: the three reminders, opt-in, saved.
    await page.goto(`${lib.server.url}/account/profile`);
    for (const id of ["#remindDue", "#remindOverdue", "#remindHold"]) expect(await page.isChecked(id)).toBe(false);
    await page.check("#remindDue");
    await page.check("#remindHold");
    await page.getByRole("button", { name: "初期値を保存する" }).click();
    await expect.poll(() => page.locator('[role="status"]').first().textContent()).toContain("初期値を保存しました。");
    expect(await page.isChecked("#remindDue")).toBe(true);
    expect(await page.isChecked("#remindOverdue")).toBe(false);
    await checkPage(page, "profile-reminders", problems);

    // 読書記録: off at first; started; the counter's return then shows in it.
    await page.goto(`${lib.server.url}/account`);
    await page.getByRole("link", { name: "読書記録" }).click();
    expect(await page.locator("main").textContent()).toContain("「記録しない」になっています");
    await checkPage(page, "reading-record-off", problems);
    await page.getByRole("button", { name: "記録を始める" }).click();
    await expect.poll(() => page.locator('[role="status"]').first().textContent()).toContain("読書記録を始めました");
    await api(`/api/v1/admin/loans/${loan.id}/return`, { method: "POST", headers: ADMIN });
    await page.reload();
    expect(await page.locator("tbody").textContent()).toContain(title);
    await checkPage(page, "reading-record-on", problems);
    // Stopping asks for the tick first (the browser will not send the form without it).
    await page.getByRole("button", { name: "記録をやめる" }).click();
    expect(page.url()).not.toContain("done=off");
    await page.locator("label.tick", { hasText: "記録をやめ" }).click();
    await page.getByRole("button", { name: "記録をやめる" }).click();
    await expect
      .poll(() => page.locator('[role="status"]').first().textContent())
      .toContain("これまでの記録をすべて削除しました");
    expect(await page.locator("main").textContent()).not.toContain(title);
    await context.close();

    // Staff: the patron whose mail failed, to phone them.
    const staff = await lib.browser.newContext({ ...PHONE, bypassCSP: true });
    const s = await staff.newPage();
    await s.goto(`${lib.server.url}/admin/login`);
    await s.fill("#staffName", "朝番 職員");
    await s.fill("#token", lib.server.adminToken);
    await s.getByRole("button", { name: "ログイン" }).click();
    await s.waitForURL(/\/admin$/);
    await s.goto(`${lib.server.url}/admin/mail`);
    await s.getByRole("link", { name: "メールが届かなかった利用者の一覧" }).click();
    expect(await s.locator("tbody").textContent()).toContain(CARD);
    expect(await s.locator("tbody").textContent()).toContain("mailbox unavailable");
    await checkPage(s, "staff-mail-failures", problems);
    await staff.close();
    expect(problems).toEqual([]);
  });
});
