// 連絡方法 and the e-mail address change without a new password (PUT /me/contact): the current password
// confirms it; the first login still has to change both e-mail and password.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call } from "../support/http";
import { apiLogin, cookiesFrom, createPatron, formPost, readyPatron, withToken } from "../support/patrons";

const contact = (token: string, body: unknown) => call("/api/v1/me/contact", withToken(token, "PUT", body));

async function stored(id: number) {
  return env.DB.prepare("SELECT email, contact_method AS contactMethod, password_hash AS hash FROM patrons WHERE id = ?")
    .bind(id)
    .first<{ email: string | null; contactMethod: string; hash: string }>();
}

describe("PUT /me/contact", () => {
  it("changes only the contact method, with the current password, and keeps the password", async () => {
    const p = await readyPatron();
    const before = await stored(p.id);
    const res = await contact(p.token, { currentPassword: p.password, contactMethod: "none" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ contactMethod: "none", email: before?.email });
    const after = await stored(p.id);
    expect(after?.contactMethod).toBe("none");
    expect(after?.hash).toBe(before?.hash);
    // The same session goes on, and the same password still logs in.
    expect((await call("/api/v1/me", withToken(p.token, "GET"))).status).toBe(200);
    expect((await apiLogin(p)).body.token).toBeTruthy();
  });

  it("changes the e-mail address given twice", async () => {
    const p = await readyPatron();
    const res = await contact(p.token, {
      currentPassword: p.password,
      contactMethod: "mail",
      email: "atarashii@example.jp",
      emailConfirm: "atarashii@example.jp",
    });
    expect(res.status).toBe(200);
    expect((await stored(p.id))?.email).toBe("atarashii@example.jp");
  });

  it("refuses a wrong current password, a mismatched confirmation or a bad address, and changes nothing", async () => {
    const p = await readyPatron();
    const before = await stored(p.id);
    const cases: Array<[unknown, string]> = [
      [{ currentPassword: "Chigau99", contactMethod: "none" }, "currentPassword"],
      [
        { currentPassword: p.password, contactMethod: "mail", email: "a@example.jp", emailConfirm: "b@example.jp" },
        "emailConfirm",
      ],
      [{ currentPassword: p.password, contactMethod: "mail", email: "not-an-address", emailConfirm: "not-an-address" }, "email"],
      [{ currentPassword: p.password, contactMethod: "fax" }, "contactMethod"],
    ];
    for (const [body, field] of cases) {
      const res = await contact(p.token, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const json = (await res.json()) as { error: { code: string; message: string; fields: Record<string, string> } };
      expect(json.error.code).toBe("invalid_request");
      expect(json.error.fields[field], field).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    }
    expect(await stored(p.id)).toEqual(before);
  });

  it("is closed until the first login has changed the temporary e-mail and password", async () => {
    const p = await createPatron();
    const { body } = await apiLogin(p);
    const res = await contact(body.token as string, { currentPassword: p.password, contactMethod: "none" });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("credentials_change_required");
  });
});

/** A browser session of a patron who can use the web (cookie header). */
async function browser(options: { mustChange?: boolean } = {}) {
  const p = await createPatron({ mustChange: options.mustChange ?? false, password: "Yomu2718" });
  const res = await call("/login", formPost({ cardNumber: p.cardNumber, password: p.password }));
  expect(res.status).toBe(303);
  return { ...p, cookie: cookiesFrom(res) };
}

describe("個人情報変更 pages", () => {
  it("offer the contact method with the e-mail, and the password, as two forms", async () => {
    const p = await browser();
    const html = await (await call("/account/profile", { headers: { Cookie: p.cookie } })).text();
    expect(html).toContain('action="/account/contact"');
    expect(html).toContain('action="/account/password"');
    const contactForm = html.slice(html.indexOf('action="/account/contact"'), html.indexOf('action="/account/password"'));
    expect(contactForm).not.toContain('name="password"');
    expect(contactForm).toContain('name="currentPassword"');
  });

  it("change the contact method alone, keeping the password and the session", async () => {
    const p = await browser();
    const before = await stored(p.id);
    const res = await call("/account/contact", formPost({ currentPassword: p.password, contactMethod: "none" }, p.cookie));
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/account/profile?done=contact");
    expect((await stored(p.id))?.contactMethod).toBe("none");
    expect((await stored(p.id))?.hash).toBe(before?.hash);
    const page = await call("/account/profile?done=contact", { headers: { Cookie: p.cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("連絡方法・メールアドレスを変更しました。");
  });

  it("keep the address on file when the e-mail fields are sent blank, as browsers do", async () => {
    const p = await browser();
    const before = await stored(p.id);
    const res = await call(
      "/account/contact",
      formPost({ currentPassword: p.password, contactMethod: "mail", email: "", emailConfirm: "" }, p.cookie),
    );
    expect(res.status).toBe(303);
    expect((await stored(p.id))?.email).toBe(before?.email);
  });

  it("refuse a wrong current password on the contact form with a Japanese message, changing nothing", async () => {
    const p = await browser();
    const before = await stored(p.id);
    const res = await call("/account/contact", formPost({ currentPassword: "Chigau99", contactMethod: "none" }, p.cookie));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("現在のパスワードが正しくありません。");
    expect(await stored(p.id)).toEqual(before);
  });

  it("change the password alone: the old one no longer logs in, the new one does, the browser stays logged in", async () => {
    const p = await browser();
    const weak = await call(
      "/account/password",
      formPost({ currentPassword: p.password, password: "1234", passwordConfirm: "1234" }, p.cookie),
    );
    expect(weak.status).toBe(400);
    expect(await weak.text()).toMatch(/推測されやすい|使えません/);
    const res = await call(
      "/account/password",
      formPost({ currentPassword: p.password, password: "Kaeta482", passwordConfirm: "Kaeta482" }, p.cookie),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/account/profile?done=password");
    const cookie = cookiesFrom(res, p.cookie);
    expect((await call("/account", { headers: { Cookie: cookie } })).status).toBe(200);
    // The session from before the change ended.
    expect((await call("/account", { headers: { Cookie: p.cookie }, redirect: "manual" })).status).toBe(303);
    expect((await apiLogin(p)).res.status).toBe(401);
    expect((await apiLogin({ cardNumber: p.cardNumber, password: "Kaeta482" })).body.token).toBeTruthy();
  });

  it("at the first login still change e-mail and password together", async () => {
    const p = await browser({ mustChange: true });
    const html = await (await call("/account/profile", { headers: { Cookie: p.cookie } })).text();
    expect(html).toContain('action="/account/profile"');
    expect(html).not.toContain('action="/account/contact"');
    const res = await call("/account/contact", formPost({ currentPassword: p.password, contactMethod: "none" }, p.cookie));
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toContain("/account/profile");
    expect((await stored(p.id))?.contactMethod).toBe("mail");
  });
});

describe("the first-login change moments after the login", () => {
  const firstLogin = (p: { cardNumber: string }, password: string, extra: Record<string, string> = {}) => ({
    email: `${p.cardNumber}@example.jp`,
    emailConfirm: `${p.cardNumber}@example.jp`,
    password,
    passwordConfirm: password,
    contactMethod: "mail",
    ...extra,
  });

  it("does not ask again for the temporary password, but still refuses it as the new one", async () => {
    const p = await browser({ mustChange: true });
    const html = await (await call("/account/profile", { headers: { Cookie: p.cookie } })).text();
    expect(html).not.toContain('name="currentPassword"');
    const same = await call("/account/profile", formPost(firstLogin(p, p.password), p.cookie));
    expect(same.status).toBe(400);
    expect(await same.text()).toContain("今までと同じパスワード（仮パスワード）は使えません。");
    const res = await call("/account/profile", formPost(firstLogin(p, "Hon2026x"), p.cookie));
    expect(res.status).toBe(303);
    expect((await apiLogin({ cardNumber: p.cardNumber, password: "Hon2026x" })).body.mustChangeCredentials).toBe(false);
  });

  it("is never taken by a bearer token, even a fresh one", async () => {
    const p = await createPatron();
    const { body } = await apiLogin(p);
    const before = await stored(p.id);
    const form = new URLSearchParams(firstLogin(p, "Hon2026x"));
    const res = await call("/account/profile", {
      method: "POST",
      headers: { Authorization: `Bearer ${body.token}`, "content-type": "application/x-www-form-urlencoded" },
      body: form,
      redirect: "manual",
    });
    expect(res.status).toBe(400);
    expect(await stored(p.id)).toEqual(before);
  });

  it("asks for it again when the login was more than ten minutes ago", async () => {
    const p = await browser({ mustChange: true });
    await env.DB.prepare("UPDATE sessions SET created_at = created_at - 11 * 60 * 1000 WHERE patron_id = ?").bind(p.id).run();
    const html = await (await call("/account/profile", { headers: { Cookie: p.cookie } })).text();
    expect(html).toContain('name="currentPassword"');
    const before = await stored(p.id);
    const res = await call("/account/profile", formPost(firstLogin(p, "Hon2026x"), p.cookie));
    expect(res.status).toBe(400);
    const refused = await res.text();
    expect(refused).toContain("パスワードを入力してください。");
    expect(refused).toMatch(/id="currentPassword"[^>]*aria-invalid="true"/);
    expect(await stored(p.id)).toEqual(before);
  });
});
