// Patron authentication through the Worker: sessions (bearer or cookie), the first-login credential change,
// session expiry, throttled guessing (per card, per address, per sprayed password), CSRF and response headers.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { sha256Hex } from "../../src/auth/tokens";
import type { FailureCount } from "../../src/domain/throttle";
import { idOfTitle, loadCatalog } from "../support/catalog";
import { BASE, call } from "../support/http";
import { createPatron, readyPatron, type TestPatron, withToken } from "../support/patrons";

beforeAll(loadCatalog);
// These tests fail many logins on purpose; the library-wide brake's pause (tested in login-brake.test.ts)
// would only slow them down, so it returns at once here.
beforeAll(() => {
  vi.spyOn(scheduler, "wait").mockResolvedValue(undefined);
});

interface ErrorBody {
  error: { code: string; message: string; fields?: Record<string, string>; retryAfter?: number };
}
interface SessionBody {
  token: string;
  mustChangeCredentials: boolean;
}
interface MeBody {
  cardNumber: string;
  name: string;
  email: string | null;
  contactMethod: string;
  mustChangeCredentials: boolean;
  reservationLimit: number;
  activeReservations: number;
}
interface CartBody {
  items: Array<{ materialId: number; title: string; pickupBranch: string }>;
  limit: number;
  remaining?: number;
}

let counter = 0;
/** A client address no other test uses. */
const freshAddress = () => {
  counter += 1;
  return `198.51.${Math.floor(counter / 250)}.${(counter % 250) + 1}`;
};
/** A wrong password no other test tries (so the per-password counter of one test never trips another). */
const freshWrongPassword = () => {
  counter += 1;
  return `Wr0ng${counter}x`;
};
/** A well-formed card number nobody holds. */
const unknownCard = () => {
  counter += 1;
  return `77${String(counter).padStart(8, "0")}`;
};

async function login(
  cardNumber: string,
  password: string,
  address = freshAddress(),
  headers: Record<string, string> = {},
): Promise<{ res: Response; status: number; body: SessionBody & ErrorBody }> {
  const res = await call("/api/v1/session", {
    method: "POST",
    headers: { "content-type": "application/json", "CF-Connecting-IP": address, ...headers },
    body: JSON.stringify({ cardNumber, password }),
  });
  return { res, status: res.status, body: (await res.json()) as SessionBody & ErrorBody };
}

async function api<T>(path: string, init: RequestInit): Promise<{ res: Response; status: number; body: T }> {
  const res = await call(path, init);
  const text = await res.text();
  return { res, status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

const me = (token: string) => api<MeBody & ErrorBody>("/api/v1/me", withToken(token, "GET"));

const hasJapanese = (s: string) => /[\u3040-\u30ff\u4e00-\u9fff]/.test(s);

/** The body of PUT /me/credentials with good values, overridable. */
function credentials(p: TestPatron, overrides: Record<string, string> = {}) {
  return {
    currentPassword: p.password,
    email: "new-address@example.jp",
    emailConfirm: "new-address@example.jp",
    password: "Neko2026",
    passwordConfirm: "Neko2026",
    contactMethod: "mail",
    ...overrides,
  };
}

async function tokenOf(p: TestPatron): Promise<string> {
  const { status, body } = await login(p.cardNumber, p.password);
  expect(status).toBe(200);
  return body.token;
}

const patronObjectOf = (cardNumber: string) => env.PATRON.get(env.PATRON.idFromName(cardNumber));

async function storedFailures(cardNumber: string): Promise<FailureCount | undefined> {
  return runInDurableObject(patronObjectOf(cardNumber), (_obj, state) => state.storage.get<FailureCount>("login-failures"));
}

async function setStoredFailures(cardNumber: string, count: FailureCount): Promise<void> {
  await runInDurableObject(patronObjectOf(cardNumber), (_obj, state) => state.storage.put("login-failures", count));
}

/** As if `seconds` had passed since the card's last failure. */
async function letTimePass(cardNumber: string, seconds: number): Promise<void> {
  const count = await storedFailures(cardNumber);
  if (!count) throw new Error("no failures stored for the card");
  await setStoredFailures(cardNumber, { ...count, lastFailureAt: count.lastFailureAt - seconds * 1000 - 1 });
}

function retryAfterOf(res: Response): number {
  const header = res.headers.get("Retry-After");
  expect(header).toMatch(/^\d+$/);
  return Number(header);
}

describe("POST /api/v1/session", () => {
  it("answers 200 with a token and mustChangeCredentials for the right card number and password", async () => {
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    const { status, body } = await login(p.cardNumber, p.password);
    expect(status).toBe(200);
    expect(body).toEqual({ token: expect.any(String), mustChangeCredentials: false });
  });

  it("sets the session cookie as __Host-session; Path=/; HttpOnly; Secure; SameSite=Lax", async () => {
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    const { res, body } = await login(p.cardNumber, p.password);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("__Host-session="));
    expect(cookie).toBeDefined();
    const parts = (cookie as string).split(";").map((s) => s.trim());
    expect(parts[0]).toBe(`__Host-session=${body.token}`);
    expect(parts).toContain("Path=/");
    expect(parts).toContain("HttpOnly");
    expect(parts).toContain("Secure");
    expect(parts).toContain("SameSite=Lax");
    expect(parts.some((x) => /^Domain=/i.test(x))).toBe(false);
  });

  it("gives a token of at least 128 random bits (≥ 22 base64url characters), different on every login", async () => {
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    const a = (await login(p.cardNumber, p.password)).body.token;
    const b = (await login(p.cardNumber, p.password)).body.token;
    expect(a).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(b).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(a).not.toBe(b);
  });

  it("stores only a 64-hex hash of the token in D1 sessions, never the token itself", async () => {
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    const { body } = await login(p.cardNumber, p.password);
    const rows = await env.DB.prepare("SELECT * FROM sessions WHERE patron_id = ?").bind(p.id).all<Record<string, unknown>>();
    expect(rows.results).toHaveLength(1);
    const row = rows.results[0] as Record<string, unknown>;
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.token_hash).not.toBe(body.token);
    expect(row.token_hash).toBe(await sha256Hex(body.token));
    expect(JSON.stringify(row)).not.toContain(body.token);
  });

  it("gives a wrong password, an unknown card, a web-disabled and a suspended patron exactly the same 401 answer", async () => {
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    const disabled = await createPatron({ mustChange: false, password: "Yomu2718", webEnabled: false });
    const suspended = await createPatron({ mustChange: false, password: "Yomu2718", suspended: true });
    const answers = [
      await login(p.cardNumber, freshWrongPassword()),
      await login(unknownCard(), freshWrongPassword()),
      await login(disabled.cardNumber, disabled.password),
      await login(suspended.cardNumber, suspended.password),
    ];
    for (const a of answers) {
      expect(a.status).toBe(401);
      expect(a.body).toEqual(answers[0]?.body);
      expect(a.res.headers.getSetCookie().some((c) => c.startsWith("__Host-session="))).toBe(false);
    }
    expect(answers[0]?.body.error.code).toBe("invalid_credentials");
    expect(answers[0]?.body.error.message).toBe("利用者番号またはパスワードが正しくありません。");
  });

  it("replaces a session the browser already had (no session fixation): the earlier token ends", async () => {
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    const earlier = await tokenOf(p);
    const { status, body } = await login(p.cardNumber, p.password, freshAddress(), {
      Cookie: `__Host-session=${earlier}`,
      Origin: BASE,
    });
    expect(status).toBe(200);
    expect(body.token).not.toBe(earlier);
    expect((await me(earlier)).status).toBe(401);
    expect((await me(body.token)).status).toBe(200);
  });

  it("accepts a card number typed with full-width digits (as phones often do)", async () => {
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    const fullWidth = p.cardNumber.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
    const { status } = await login(fullWidth, p.password);
    expect(status).toBe(200);
  });

  it("answers 400 invalid_request with fields.password when the password is missing", async () => {
    const { status, body } = await api<ErrorBody>("/api/v1/session", {
      method: "POST",
      headers: { "content-type": "application/json", "CF-Connecting-IP": freshAddress() },
      body: JSON.stringify({ cardNumber: "3900000001" }),
    });
    expect(status).toBe(400);
    expect(body.error.code).toBe("invalid_request");
    expect(body.error.fields?.password).toEqual(expect.any(String));
  });

  it("answers 400 invalid_request with fields.cardNumber for the card number abc!", async () => {
    const { status, body } = await login("abc!", "Yomu2718");
    expect(status).toBe(400);
    expect(body.error.code).toBe("invalid_request");
    expect(body.error.fields?.cardNumber).toEqual(expect.any(String));
  });
});

describe("temporary credentials", () => {
  it("let GET /me answer, with mustChangeCredentials true", async () => {
    const p = await createPatron();
    const { status, body } = await login(p.cardNumber, p.password);
    expect(status).toBe(200);
    expect(body.mustChangeCredentials).toBe(true);
    const res = await me(body.token);
    expect(res.status).toBe(200);
    expect(res.body.mustChangeCredentials).toBe(true);
    expect(res.body.cardNumber).toBe(p.cardNumber);
  });

  it.each([
    ["GET", "/api/v1/me/reservations", undefined],
    ["GET", "/api/v1/me/loans", undefined],
    ["GET", "/api/v1/cart", undefined],
    ["POST", "/api/v1/cart/items", { materialId: 1, pickupBranch: "central" }],
    ["POST", "/api/v1/cart/apply", {}],
    ["POST", "/api/v1/me/reservations", { materialId: 1, pickupBranch: "central" }],
    ["GET", "/api/v1/materials", undefined],
    ["GET", "/api/v1/branches", undefined],
  ])("refuse %s %s with 403 credentials_change_required", async (method, path, body) => {
    const p = await createPatron();
    const token = await tokenOf(p);
    const res = await api<ErrorBody>(path, withToken(token, method, body));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("credentials_change_required");
  });
});

describe("PUT /api/v1/me/credentials", () => {
  const put = (token: string, body: unknown) =>
    api<ErrorBody & SessionBody>("/api/v1/me/credentials", withToken(token, "PUT", body));

  it("answers 400 with fields.emailConfirm when the e-mail confirmation differs", async () => {
    const p = await createPatron();
    const token = await tokenOf(p);
    const { status, body } = await put(token, credentials(p, { emailConfirm: "other@example.jp" }));
    expect(status).toBe(400);
    expect(body.error.code).toBe("invalid_request");
    expect(Object.keys(body.error.fields ?? {})).toEqual(["emailConfirm"]);
  });

  it("answers 400 with fields.passwordConfirm when the password confirmation differs", async () => {
    const p = await createPatron();
    const token = await tokenOf(p);
    const { status, body } = await put(token, credentials(p, { passwordConfirm: "Neko2027" }));
    expect(status).toBe(400);
    expect(Object.keys(body.error.fields ?? {})).toEqual(["passwordConfirm"]);
  });

  it("refuses the guessable with 400 fields.password: card number, part of it, 1234, 0000, the temporary password, password", async () => {
    const p = await createPatron();
    const token = await tokenOf(p);
    const guessable = [p.cardNumber, p.cardNumber.slice(-8), "1234", "0000", p.password, p.password.toUpperCase(), "password"];
    for (const pw of guessable) {
      const { status, body } = await put(token, credentials(p, { password: pw, passwordConfirm: pw }));
      expect(status, pw).toBe(400);
      expect(body.error.code).toBe("invalid_request");
      expect(body.error.fields?.password, pw).toEqual(expect.any(String));
    }
    const partOfCard = await put(
      token,
      credentials(p, { password: p.cardNumber.slice(-8), passwordConfirm: p.cardNumber.slice(-8) }),
    );
    expect(partOfCard.body.error.fields?.password).toMatch(/利用者番号/);
    // Nothing changed: the temporary password still logs in and must still be changed.
    expect((await me(token)).body.mustChangeCredentials).toBe(true);
  });

  it("answers 400 fields.currentPassword when the current password is wrong, and changes nothing", async () => {
    const p = await createPatron();
    const token = await tokenOf(p);
    const { status, body } = await put(token, credentials(p, { currentPassword: "Kari0000" }));
    expect(status).toBe(400);
    expect(body.error.fields?.currentPassword).toEqual(expect.any(String));
    expect((await me(token)).status).toBe(200);
    expect((await login(p.cardNumber, p.password)).status).toBe(200);
  });

  it("on success answers 200 with a new token; the old token is ended and only the new password logs in", async () => {
    const p = await createPatron();
    const oldToken = await tokenOf(p);
    const { status, body } = await put(oldToken, credentials(p, { contactMethod: "none" }));
    expect(status).toBe(200);
    expect(body.mustChangeCredentials).toBe(false);
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(body.token).not.toBe(oldToken);

    const old = await me(oldToken);
    expect(old.status).toBe(401);
    expect(old.body.error.code).toBe("unauthenticated");

    const now = await me(body.token);
    expect(now.status).toBe(200);
    expect(now.body).toMatchObject({ mustChangeCredentials: false, email: "new-address@example.jp", contactMethod: "none" });

    const withNew = await login(p.cardNumber, "Neko2026");
    expect(withNew.status).toBe(200);
    expect(withNew.body.mustChangeCredentials).toBe(false);
    const withOld = await login(p.cardNumber, p.password);
    expect(withOld.status).toBe(401);
    expect(withOld.body.error.code).toBe("invalid_credentials");
  });

  it("ends every other session of the patron too (another device's token answers 401)", async () => {
    const p = await createPatron();
    const first = await tokenOf(p);
    const second = await tokenOf(p);
    expect((await put(first, credentials(p))).status).toBe(200);
    expect((await me(second)).status).toBe(401);
  });
});

describe("ending and expiring sessions", () => {
  it("DELETE /api/v1/session ends the session: the token then answers 401", async () => {
    const { token } = await readyPatron();
    expect((await me(token)).status).toBe(200);
    const res = await call("/api/v1/session", withToken(token, "DELETE"));
    expect(res.status).toBe(204);
    expect((await me(token)).status).toBe(401);
  });

  it("DELETE /api/v1/session clears the session cookie", async () => {
    const { token } = await readyPatron();
    const res = await call("/api/v1/session", withToken(token, "DELETE"));
    const cleared = res.headers.getSetCookie().find((c) => c.startsWith("__Host-session="));
    expect(cleared).toMatch(/Max-Age=0/i);
  });

  it("ends a session idle for 31 minutes (the 30-minute idle rule)", async () => {
    const { token } = await readyPatron();
    await env.DB.prepare("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?")
      .bind(Date.now() - 31 * 60 * 1000, await sha256Hex(token))
      .run();
    const res = await me(token);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthenticated");
  });

  it("keeps a session idle for 29 minutes, and the request counts as activity", async () => {
    const { token } = await readyPatron();
    const hash = await sha256Hex(token);
    await env.DB.prepare("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?")
      .bind(Date.now() - 29 * 60 * 1000, hash)
      .run();
    expect((await me(token)).status).toBe(200);
    const row = await env.DB.prepare("SELECT last_seen_at AS lastSeenAt FROM sessions WHERE token_hash = ?")
      .bind(hash)
      .first<{ lastSeenAt: number }>();
    expect(Date.now() - (row?.lastSeenAt ?? 0)).toBeLessThan(60_000);
  });

  it("ends a session past expires_at even when it was just used (the 12-hour absolute rule)", async () => {
    const { token } = await readyPatron();
    await env.DB.prepare("UPDATE sessions SET expires_at = ?, last_seen_at = ? WHERE token_hash = ?")
      .bind(Date.now() - 1000, Date.now(), await sha256Hex(token))
      .run();
    expect((await me(token)).status).toBe(401);
  });

  it("sets expires_at 12 hours after login", async () => {
    const { token } = await readyPatron();
    const row = await env.DB.prepare("SELECT created_at AS createdAt, expires_at AS expiresAt FROM sessions WHERE token_hash = ?")
      .bind(await sha256Hex(token))
      .first<{ createdAt: number; expiresAt: number }>();
    expect((row?.expiresAt ?? 0) - Date.now()).toBeGreaterThan(12 * 60 * 60 * 1000 - 60_000);
    expect((row?.expiresAt ?? 0) - Date.now()).toBeLessThanOrEqual(12 * 60 * 60 * 1000);
  });

  it("ends the sessions of a patron whose web use is stopped or who is suspended", async () => {
    const stopped = await readyPatron();
    const suspended = await readyPatron();
    await env.DB.prepare("UPDATE patrons SET web_enabled = 0 WHERE id = ?").bind(stopped.id).run();
    await env.DB.prepare("UPDATE patrons SET suspended = 1 WHERE id = ?").bind(suspended.id).run();
    expect((await me(stopped.token)).status).toBe(401);
    expect((await me(suspended.token)).status).toBe(401);
  });

  it("answers 401 unauthenticated for a made-up token", async () => {
    const res = await me("x".repeat(43));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthenticated");
  });
});

describe("throttling per card", () => {
  async function failFiveTimes(p: TestPatron) {
    for (let i = 0; i < 5; i++) {
      const { status } = await login(p.cardNumber, freshWrongPassword());
      expect(status).toBe(401);
    }
  }

  it("after 5 wrong passwords, even the right password answers 429 too_many_attempts with Retry-After and a Japanese message", async () => {
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    await failFiveTimes(p);
    const { res, status, body } = await login(p.cardNumber, p.password);
    expect(status).toBe(429);
    expect(body.error.code).toBe("too_many_attempts");
    expect(retryAfterOf(res)).toBeGreaterThanOrEqual(1);
    expect(hasJapanese(body.error.message)).toBe(true);
    expect(res.headers.getSetCookie().some((c) => c.startsWith("__Host-session="))).toBe(false);
  });

  it("is no permanent lock: once the failures are older than forgetAfter, the right password logs in", async () => {
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    await failFiveTimes(p);
    const throttled = await login(p.cardNumber, p.password);
    expect(throttled.status).toBe(429);
    expect(retryAfterOf(throttled.res)).toBeGreaterThanOrEqual(1);
    await setStoredFailures(p.cardNumber, { failures: 5, lastFailureAt: Date.now() - 3_600_001 });
    const { status, body } = await login(p.cardNumber, p.password);
    expect(status).toBe(200);
    expect(body.token).toEqual(expect.any(String));
  });

  it("lets the right password in once Retry-After seconds have passed, and a success clears the count", async () => {
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    await failFiveTimes(p);
    const throttled = await login(p.cardNumber, p.password);
    expect(throttled.status).toBe(429);
    await letTimePass(p.cardNumber, retryAfterOf(throttled.res));
    expect((await login(p.cardNumber, p.password)).status).toBe(200);
    expect(await storedFailures(p.cardNumber)).toBeUndefined();
  });

  it("asks growing waits: the 7th failure asks a longer Retry-After than the 6th, which asks longer than the 5th", async () => {
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    await failFiveTimes(p);
    const waits: number[] = [];
    for (let failure = 5; failure <= 7; failure++) {
      const throttled = await login(p.cardNumber, p.password);
      expect(throttled.status).toBe(429);
      const wait = retryAfterOf(throttled.res);
      waits.push(wait);
      if (failure < 7) {
        await letTimePass(p.cardNumber, wait);
        // After the wait a try is allowed again; a wrong one counts once more.
        expect((await login(p.cardNumber, freshWrongPassword())).status).toBe(401);
      }
    }
    const [afterFifth, afterSixth, afterSeventh] = waits as [number, number, number];
    expect(afterSixth).toBeGreaterThan(afterFifth);
    expect(afterSeventh).toBeGreaterThan(afterSixth);
    expect((await storedFailures(p.cardNumber))?.failures).toBe(7);
  });

  it("counts nothing while throttled: tries during the wait do not lengthen it", async () => {
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    await failFiveTimes(p);
    for (let i = 0; i < 3; i++) expect((await login(p.cardNumber, freshWrongPassword())).status).toBe(429);
    expect((await storedFailures(p.cardNumber))?.failures).toBe(5);
  });

  it("cannot be got around by guessing concurrently: of 30 simultaneous wrong tries on one card, at most 5 are checked", async () => {
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    const answers = await Promise.all(Array.from({ length: 30 }, () => login(p.cardNumber, freshWrongPassword())));
    const checked = answers.filter((a) => a.status === 401).length;
    const refused = answers.filter((a) => a.status === 429).length;
    expect(checked + refused).toBe(30);
    expect(checked).toBeLessThanOrEqual(5);
  });

  it("throttles one card only: another patron logs in meanwhile", async () => {
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    const other = await createPatron({ mustChange: false, password: "Yomu2718" });
    await failFiveTimes(p);
    expect((await login(p.cardNumber, p.password)).status).toBe(429);
    expect((await login(other.cardNumber, other.password)).status).toBe(200);
  });
});

describe("throttling per address", () => {
  it("after 20 failures over different card numbers from one address, that address gets 429; another address still 401", async () => {
    const address = freshAddress();
    for (let i = 0; i < 20; i++) {
      const { status } = await login(unknownCard(), freshWrongPassword(), address);
      expect(status).toBe(401);
    }
    const blocked = await login(unknownCard(), freshWrongPassword(), address);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe("too_many_attempts");
    expect(retryAfterOf(blocked.res)).toBeGreaterThanOrEqual(1);

    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    expect((await login(p.cardNumber, p.password, address)).status).toBe(429);

    const elsewhere = await login(p.cardNumber, freshWrongPassword(), freshAddress());
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.body.error.code).toBe("invalid_credentials");
    expect((await login(p.cardNumber, p.password, freshAddress())).status).toBe(200);
  });
});

describe("password spraying", () => {
  it("one wrong password tried on 10 cards from 10 addresses is then refused (429) on yet another card and address", async () => {
    const sprayed = freshWrongPassword();
    for (let i = 0; i < 10; i++) {
      const victim = await createPatron({ mustChange: false, password: "Yomu2718" });
      expect((await login(victim.cardNumber, sprayed, freshAddress())).status).toBe(401);
    }
    const next = await createPatron({ mustChange: false, password: "Yomu2718" });
    const sprayedAgain = await login(next.cardNumber, sprayed, freshAddress());
    expect(sprayedAgain.status).toBe(429);
    expect(sprayedAgain.body.error.code).toBe("too_many_attempts");
    expect(retryAfterOf(sprayedAgain.res)).toBeGreaterThanOrEqual(1);

    const otherPassword = await login(next.cardNumber, freshWrongPassword(), freshAddress());
    expect(otherPassword.status).toBe(401);
    expect(otherPassword.body.error.code).toBe("invalid_credentials");
    expect((await login(next.cardNumber, next.password, freshAddress())).status).toBe(200);
  });
});

describe("cross-site request forgery", () => {
  const addToCart = (headers: Record<string, string>, materialId: number) =>
    api<ErrorBody & CartBody>("/api/v1/cart/items", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ materialId, pickupBranch: "central" }),
    });
  const cartOf = async (token: string) => (await api<CartBody>("/api/v1/cart", withToken(token, "GET"))).body;
  const material = idOfTitle("こころ");

  it("refuses a cookie-authenticated POST from Origin https://evil.example with 403 forbidden, changing nothing", async () => {
    const { token } = await readyPatron();
    const res = await addToCart({ Cookie: `__Host-session=${token}`, Origin: "https://evil.example" }, material);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("forbidden");
    expect((await cartOf(token)).items).toEqual([]);
  });

  it("refuses a cookie-authenticated POST with neither Origin nor Sec-Fetch-Site", async () => {
    const { token } = await readyPatron();
    const res = await addToCart({ Cookie: `__Host-session=${token}` }, material);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("forbidden");
    expect((await cartOf(token)).items).toEqual([]);
  });

  it("refuses a cookie-authenticated POST with Origin: null", async () => {
    const { token } = await readyPatron();
    const res = await addToCart({ Cookie: `__Host-session=${token}`, Origin: "null" }, material);
    expect(res.status).toBe(403);
    expect((await cartOf(token)).items).toEqual([]);
  });

  it("refuses a cookie-authenticated POST saying Sec-Fetch-Site: cross-site", async () => {
    const { token } = await readyPatron();
    const res = await addToCart({ Cookie: `__Host-session=${token}`, "Sec-Fetch-Site": "cross-site" }, material);
    expect(res.status).toBe(403);
  });

  it("refuses logging out from another site: the session stays", async () => {
    const { token } = await readyPatron();
    const res = await call("/api/v1/session", {
      method: "DELETE",
      headers: { Cookie: `__Host-session=${token}`, Origin: "https://evil.example" },
    });
    expect(res.status).toBe(403);
    expect((await me(token)).status).toBe(200);
  });

  it("accepts a cookie-authenticated POST with our own Origin", async () => {
    const { token } = await readyPatron();
    const res = await addToCart({ Cookie: `__Host-session=${token}`, Origin: BASE }, material);
    expect(res.status).toBe(201);
    expect((await cartOf(token)).items.map((i) => i.materialId)).toEqual([material]);
  });

  it("accepts a cookie-authenticated POST without Origin that says Sec-Fetch-Site: same-origin", async () => {
    const { token } = await readyPatron();
    const res = await addToCart({ Cookie: `__Host-session=${token}`, "Sec-Fetch-Site": "same-origin" }, material);
    expect(res.status).toBe(201);
  });

  it("does not let a made-up bearer token carry a session cookie past the guard: the cookie is judged as a cookie", async () => {
    const p = await readyPatron();
    const res = await api<ErrorBody>("/api/v1/me/reservations", {
      method: "POST",
      headers: { "content-type": "application/json", Cookie: `__Host-session=${p.token}`, Authorization: "Bearer made-up" },
      body: JSON.stringify({ materialId: material, pickupBranch: "central" }),
    });
    expect(res.status).toBe(403);
    const count = await env.DB.prepare("SELECT count(*) AS n FROM reservations WHERE patron_id = ?")
      .bind(p.id)
      .first<{ n: number }>();
    expect(count?.n).toBe(0);
  });

  it("accepts a bearer-token POST without Origin (no ambient credentials)", async () => {
    const { token } = await readyPatron();
    const res = await call("/api/v1/cart/items", withToken(token, "POST", { materialId: material, pickupBranch: "central" }));
    expect(res.status).toBe(201);
    expect((await cartOf(token)).items.map((i) => i.materialId)).toEqual([material]);
  });
});

describe("response headers", () => {
  function expectSecurityHeaders(res: Response) {
    expect(res.headers.get("Cache-Control")).toBe("private, no-store");
    const csp = res.headers.get("Content-Security-Policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(res.headers.get("Strict-Transport-Security")).toMatch(/max-age=\d{7,}/);
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
  }

  it("GET /api/v1/me is private, no-store and carries CSP and HSTS", async () => {
    const { token } = await readyPatron();
    const res = await call("/api/v1/me", withToken(token, "GET"));
    expect(res.status).toBe(200);
    expectSecurityHeaders(res);
  });

  it("the /account page is private, no-store and carries CSP and HSTS", async () => {
    const { token } = await readyPatron();
    const res = await call("/account", { headers: { Cookie: `__Host-session=${token}` } });
    expect(res.status).toBe(200);
    expectSecurityHeaders(res);
  });

  it("a login answer, an error and a redirect are private, no-store too", async () => {
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    expectSecurityHeaders((await login(p.cardNumber, p.password)).res);
    expectSecurityHeaders(await call("/api/v1/me"));
    expectSecurityHeaders(await call("/account", { redirect: "manual" }));
  });
});
