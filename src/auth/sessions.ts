// Patron sessions: a random token given to the browser (cookie) or API client (bearer), stored only as its
// SHA-256, ending after 30 idle minutes or 12 hours in all, on logout, and on a change of credentials.
import { and, eq, sql } from "drizzle-orm";
import type { D1, Db } from "../db/client";
import { patrons, sessions } from "../db/schema";
import { randomToken, sha256Hex } from "./tokens";

export const SESSION_IDLE_MS = 30 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
/** last_seen_at is written at most this often, not on every request. */
const TOUCH_EVERY_MS = 60 * 1000;

export const SESSION_COOKIE = "__Host-session";

/**
 * For this long after a login, the first-login change of temporary credentials does not ask again for
 * the temporary password the patron has just typed (at the login page or the cart).
 */
export const FRESH_LOGIN_MS = 10 * 60 * 1000;

/** Whether a session's patron typed the password moments ago and must still change temporary credentials. */
export const justLoggedInWithTemporary = (p: { mustChangeCredentials: boolean; sessionCreatedAt: number }, now: number) =>
  p.mustChangeCredentials && now - p.sessionCreatedAt < FRESH_LOGIN_MS;

export async function createPatronSession(db: Db, patronId: number, now: number): Promise<string> {
  const token = randomToken();
  await db.insert(sessions).values({
    tokenHash: await sha256Hex(token),
    kind: "patron",
    patronId,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + SESSION_ABSOLUTE_MS,
  });
  return token;
}

export interface SessionPatron {
  id: number;
  cardNumber: string;
  name: string;
  email: string | null;
  contactMethod: "mail" | "none";
  mustChangeCredentials: boolean;
  /** 初期値設定: the pickup branch offered first (null: the last one chosen). */
  defaultPickupBranch: string | null;
  /** Mail without titles; null: the library's default. */
  mailWithoutTitles: boolean | null;
  /** メールでのお知らせ chosen (each opt-in). */
  remindDue: boolean;
  remindOverdue: boolean;
  remindHold: boolean;
  /** Materials in the patron's cart, for the header. */
  cartCount: number;
  /** When this session began (its login): a fresh one needs no second typing of the password just given. */
  sessionCreatedAt: number;
}

/** The patron of a live session, or undefined (expired, ended, or the patron may no longer use the web). */
export async function findPatronSession(db: Db, token: string, now: number): Promise<SessionPatron | undefined> {
  const tokenHash = await sha256Hex(token);
  const [row] = await db
    .select({
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
      createdAt: sessions.createdAt,
      id: patrons.id,
      cardNumber: patrons.cardNumber,
      name: patrons.name,
      email: patrons.email,
      contactMethod: patrons.contactMethod,
      mustChangeCredentials: patrons.mustChangeCredentials,
      defaultPickupBranch: patrons.defaultPickupBranch,
      mailWithoutTitles: patrons.mailWithoutTitles,
      remindDue: patrons.remindDue,
      remindOverdue: patrons.remindOverdue,
      remindHold: patrons.remindHold,
      cartCount: sql<number>`(SELECT count(*) FROM cart_items ci JOIN carts ca ON ca.id = ci.cart_id WHERE ca.patron_id = ${patrons.id})`,
      webEnabled: patrons.webEnabled,
      suspended: patrons.suspended,
    })
    .from(sessions)
    .innerJoin(patrons, eq(patrons.id, sessions.patronId))
    .where(and(eq(sessions.tokenHash, tokenHash), eq(sessions.kind, "patron")))
    .limit(1);
  if (!row) return undefined;
  if (row.expiresAt <= now || row.lastSeenAt + SESSION_IDLE_MS <= now || !row.webEnabled || row.suspended) {
    await db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
    return undefined;
  }
  if (now - row.lastSeenAt > TOUCH_EVERY_MS) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.tokenHash, tokenHash));
  }
  return {
    id: row.id,
    cardNumber: row.cardNumber,
    name: row.name,
    email: row.email,
    contactMethod: row.contactMethod,
    mustChangeCredentials: row.mustChangeCredentials,
    defaultPickupBranch: row.defaultPickupBranch,
    mailWithoutTitles: row.mailWithoutTitles,
    remindDue: row.remindDue,
    remindOverdue: row.remindOverdue,
    remindHold: row.remindHold,
    cartCount: row.cartCount,
    sessionCreatedAt: row.createdAt,
  };
}

export async function endSession(db: Db, token: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, await sha256Hex(token)));
}

/** Ends every session of a patron (credentials changed, password reset, web use stopped). */
export async function endPatronSessions(db: Db, patronId: number): Promise<void> {
  await db.delete(sessions).where(eq(sessions.patronId, patronId));
}

/** Ends every session of the patrons with these card numbers (an import stopped their web use). */
export function endSessionsOfCards(db: D1, cardNumbers: string[]): D1PreparedStatement {
  return db
    .prepare(
      "DELETE FROM sessions WHERE patron_id IN (SELECT id FROM patrons WHERE card_number IN (SELECT value FROM json_each(?1)))",
    )
    .bind(JSON.stringify(cardNumbers));
}
