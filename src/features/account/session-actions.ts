// What logging in, changing credentials and logging out do, shared by the pages and the JSON API.

import { and, eq } from "drizzle-orm";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { clientAddress } from "../../auth/address";
import { authenticate, type LoginPatron } from "../../auth/login";
import { hashPassword, verifyPassword } from "../../auth/password";
import {
  createPatronSession,
  endPatronSessions,
  endSession,
  justLoggedInWithTemporary,
  SESSION_ABSOLUTE_MS,
  SESSION_COOKIE,
} from "../../auth/sessions";
import { pepperOf } from "../../config";
import { patrons } from "../../db/schema";
import { newPasswordProblem } from "../../domain/password-policy";
import type { AppEnv } from "../../env";
import { AppError } from "../../errors";
import { patronObject } from "../../objects/patron";
import { CART_COOKIE, liveGuestCart, mergeGuestCart, patronCartId } from "../cart/queries";
import type { ContactInput } from "./schemas";

function setSessionCookie(c: Context<AppEnv>, token: string) {
  // __Host-: Secure, Path=/, no Domain; HttpOnly so scripts cannot read it.
  setCookie(c, SESSION_COOKIE, token, {
    path: "/",
    secure: true,
    httpOnly: true,
    sameSite: "Lax",
    maxAge: SESSION_ABSOLUTE_MS / 1000,
  });
}

export const INVALID_CREDENTIALS = "利用者番号またはパスワードが正しくありません。";

export function throttledError(retryAfter: number): AppError {
  const minutes = Math.ceil(retryAfter / 60);
  return new AppError(
    "too_many_attempts",
    `ログインの失敗が続いたため、しばらくログインできません。約${retryAfter < 60 ? `${retryAfter}秒` : `${minutes}分`}後にもう一度お試しください。`,
    { retryAfter },
  );
}

/**
 * Checks the card number and password and starts a session: a new token, the cookie, and the guest's cart
 * joined to the patron's. Throws invalid_credentials or too_many_attempts.
 */
export async function logIn(
  c: Context<AppEnv>,
  cardNumber: string,
  password: string,
): Promise<{ token: string; patron: LoginPatron }> {
  const now = Date.now();
  const outcome = await authenticate(c.env, c.var.db, { cardNumber, password, address: clientAddress(c), now });
  if (!outcome.ok) {
    if (outcome.kind === "throttled") throw throttledError(outcome.retryAfter);
    throw new AppError("invalid_credentials", INVALID_CREDENTIALS);
  }
  // A session that was open before login is replaced, never reused (no session fixation).
  const previous = c.var.patron?.token;
  if (previous) await endSession(c.var.db, previous);
  const token = await createPatronSession(c.var.db, outcome.patron.id, now);
  setSessionCookie(c, token);
  const guest = getCookie(c, CART_COOKIE);
  if (guest && (await liveGuestCart(c.var.db, guest, now))) {
    await mergeGuestCart(c.var.d1, guest, await patronCartId(c.var.db, outcome.patron.id, now));
    deleteCookie(c, CART_COOKIE, { path: "/", secure: true });
  }
  return { token, patron: outcome.patron };
}

export async function logOut(c: Context<AppEnv>): Promise<void> {
  const token = c.var.patron?.token;
  if (token) await endSession(c.var.db, token);
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true });
}

export interface CredentialsInput {
  currentPassword: string;
  email: string;
  password: string;
  contactMethod: "mail" | "none";
}

/**
 * The current password confirms a change; guessing it through a form meets the card's login throttle
 * too. The patron's stored e-mail comes back for the change to check against.
 */
async function checkCurrentPassword(
  c: Context<AppEnv>,
  patron: { id: number; cardNumber: string },
  currentPassword: string,
): Promise<{ ok: true; row: { email: string | null; emailTemporary: boolean } } | { ok: false; fields: Record<string, string> }> {
  const card = patronObject(c.env, patron.cardNumber);
  const wait = await card.beginAttempt(Date.now());
  if (wait > 0) throw throttledError(wait);
  const [row] = await c.var.db
    .select({ hash: patrons.passwordHash, email: patrons.email, emailTemporary: patrons.emailTemporary })
    .from(patrons)
    .where(eq(patrons.id, patron.id))
    .limit(1);
  if (!row?.hash || !(await verifyPassword(currentPassword, row.hash, pepperOf(c.env)))) {
    const which = c.var.patron?.mustChangeCredentials ? "現在のパスワード（仮パスワード）" : "現在のパスワード";
    return { ok: false, fields: { currentPassword: `${which}が正しくありません。` } };
  }
  await card.loginSucceeded();
  return { ok: true, row };
}

/**
 * 連絡方法 (and the e-mail address, when given twice) without a new password; the current password
 * confirms it. Mail needs an address: the new one or the one on file (not a temporary one).
 */
export async function changeContact(
  c: Context<AppEnv>,
  input: ContactInput,
): Promise<{ ok: true; email: string | null; contactMethod: "mail" | "none" } | { ok: false; fields: Record<string, string> }> {
  const patron = c.var.patron;
  if (!patron) throw new AppError("unauthenticated", "ログインしてください。");
  const checked = await checkCurrentPassword(c, patron, input.currentPassword);
  if (!checked.ok) return checked;
  // Browsers send the blank fields as "": no new address.
  const newEmail = input.email ? input.email : undefined;
  const email = newEmail ?? checked.row.email;
  if (newEmail && checked.row.emailTemporary && checked.row.email?.toLowerCase() === newEmail.toLowerCase())
    return {
      ok: false,
      fields: { email: "仮のメールアドレスのままでは変更できません。お使いのメールアドレスを入力してください。" },
    };
  if (input.contactMethod === "mail" && (!email || (checked.row.emailTemporary && !newEmail)))
    return { ok: false, fields: { email: "メールで連絡を受けるには、メールアドレスを入力してください。" } };
  const now = Date.now();
  await c.var.db
    .update(patrons)
    .set({
      contactMethod: input.contactMethod,
      ...(newEmail ? { email: newEmail, emailTemporary: false } : {}),
      updatedAt: now,
    })
    .where(eq(patrons.id, patron.id));
  return { ok: true, email: email ?? null, contactMethod: input.contactMethod };
}

/** A new password, confirmed by the current one; every session ends and this browser gets a new one. */
export async function changePassword(
  c: Context<AppEnv>,
  input: { currentPassword: string; password: string },
): Promise<{ ok: true; token: string } | { ok: false; fields: Record<string, string> }> {
  const patron = c.var.patron;
  if (!patron) throw new AppError("unauthenticated", "ログインしてください。");
  const checked = await checkCurrentPassword(c, patron, input.currentPassword);
  if (!checked.ok) return checked;
  const problem = newPasswordProblem(input.password, { cardNumber: patron.cardNumber, currentPassword: input.currentPassword });
  if (problem) return { ok: false, fields: { password: problem } };
  const now = Date.now();
  const db = c.var.db;
  await db
    .update(patrons)
    .set({ passwordHash: await hashPassword(input.password, pepperOf(c.env)), credentialsChangedAt: now, updatedAt: now })
    .where(eq(patrons.id, patron.id));
  await endPatronSessions(db, patron.id);
  const token = await createPatronSession(db, patron.id, now);
  setSessionCookie(c, token);
  return { ok: true, token };
}

/**
 * Changes e-mail, password and contact method after checking the current password and refusing the
 * guessable. Every session of the patron ends and a new one starts (new token). Returns field errors.
 */
export async function changeCredentials(
  c: Context<AppEnv>,
  input: Omit<CredentialsInput, "currentPassword"> & { currentPassword?: string },
): Promise<{ ok: true; token: string } | { ok: false; fields: Record<string, string> }> {
  const patron = c.var.patron;
  if (!patron) throw new AppError("unauthenticated", "ログインしてください。");
  const db = c.var.db;
  let row: { email: string | null; emailTemporary: boolean };
  if (input.currentPassword === undefined) {
    // Only the first-login change, moments after the login that verified the temporary password.
    // Never for a bearer token: only the browser that has just typed the temporary password.
    if (patron.via !== "cookie" || !justLoggedInWithTemporary(patron, Date.now()))
      return { ok: false, fields: { currentPassword: "現在のパスワード（仮パスワード）を入力してください。" } };
    const [stored] = await db
      .select({ hash: patrons.passwordHash, email: patrons.email, emailTemporary: patrons.emailTemporary })
      .from(patrons)
      .where(eq(patrons.id, patron.id))
      .limit(1);
    if (!stored?.hash) return { ok: false, fields: { currentPassword: "現在のパスワード（仮パスワード）を入力してください。" } };
    // The new password may not be the temporary one (in any case), which is not typed again here: ask the hash.
    const variants = [...new Set([input.password, input.password.toLowerCase(), input.password.toUpperCase()])];
    const same = await Promise.all(variants.map((v) => verifyPassword(v, stored.hash as string, pepperOf(c.env))));
    if (same.some(Boolean)) return { ok: false, fields: { password: "今までと同じパスワード（仮パスワード）は使えません。" } };
    row = stored;
  } else {
    const checked = await checkCurrentPassword(c, patron, input.currentPassword);
    if (!checked.ok) return checked;
    row = checked.row;
  }
  const problem = newPasswordProblem(input.password, { cardNumber: patron.cardNumber, currentPassword: input.currentPassword });
  if (problem) return { ok: false, fields: { password: problem } };
  // The counter registered a temporary address: the first change must replace it (not after a reset).
  if (row.emailTemporary && row.email && input.email.toLowerCase() === row.email.toLowerCase()) {
    return {
      ok: false,
      fields: { email: "仮のメールアドレスのままでは変更できません。お使いのメールアドレスを入力してください。" },
    };
  }
  const now = Date.now();
  const fresh = input.currentPassword === undefined;
  await db
    .update(patrons)
    .set({
      email: input.email,
      contactMethod: input.contactMethod,
      passwordHash: await hashPassword(input.password, pepperOf(c.env)),
      mustChangeCredentials: false,
      emailTemporary: false,
      credentialsChangedAt: now,
      updatedAt: now,
    })
    // Without the current password, only while the temporary credentials are still there.
    .where(fresh ? and(eq(patrons.id, patron.id), eq(patrons.mustChangeCredentials, true)) : eq(patrons.id, patron.id));
  await endPatronSessions(db, patron.id);
  const token = await createPatronSession(db, patron.id, now);
  setSessionCookie(c, token);
  return { ok: true, token };
}
