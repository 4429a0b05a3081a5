// 連絡方法 and the e-mail address change without a new password (PUT /me/contact): the current password
// confirms it; the first login still has to change both e-mail and password.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call } from "../support/http";
import { apiLogin, createPatron, readyPatron, withToken } from "../support/patrons";

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
