// Staff access: the ADMIN_TOKEN as a bearer token for the API (compared in constant time), or a short
// staff session started by typing the token on the staff login page. Anything else answers 401.

import { and, eq, gt } from "drizzle-orm";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { sessions } from "../db/schema";
import { POLICIES } from "../domain/throttle";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { addressGroup, clientAddress } from "./address";
import { countAttempt, currentWait, type ThrottleKey } from "./throttle-store";
import { randomToken, sha256Hex, timingSafeEqual } from "./tokens";

export const STAFF_COOKIE = "__Host-staff";
export const STAFF_SESSION_MS = 8 * 60 * 60 * 1000;

/** Whether the given text is the staff token (constant time). */
export const isStaffToken = async (env: Env, token: string) =>
  Boolean(env.ADMIN_TOKEN) && (await timingSafeEqual(token, env.ADMIN_TOKEN));

export async function createStaffSession(c: Context<AppEnv>, staffName: string, now: number): Promise<string> {
  const token = randomToken();
  await c.var.db.insert(sessions).values({
    tokenHash: await sha256Hex(token),
    kind: "staff",
    staffName,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + STAFF_SESSION_MS,
  });
  return token;
}

async function staffSessionName(c: Context<AppEnv>, token: string, now: number): Promise<string | undefined> {
  const [row] = await c.var.db
    .select({ name: sessions.staffName })
    .from(sessions)
    .where(and(eq(sessions.tokenHash, await sha256Hex(token)), eq(sessions.kind, "staff"), gt(sessions.expiresAt, now)))
    .limit(1);
  return row ? (row.name ?? "") : undefined;
}

/** A staff member's name as given, made safe for the log (letters, digits, spaces; at most 40). */
export const cleanStaffName = (name: string | undefined) =>
  (name ?? "")
    .normalize("NFKC")
    .replace(/[^\p{L}\p{N} ._-]/gu, "")
    .trim()
    .slice(0, 40);

/**
 * Who the staff member is, for the audit log: `staff:api` (plus the X-Staff-Name header when a script
 * sends one) for the token, `staff:page:<name given at login>` for a page session.
 */
export async function staffIdentity(c: Context<AppEnv>): Promise<string | undefined> {
  const auth = c.req.header("Authorization");
  if (auth?.startsWith("Bearer ") && (await isStaffToken(c.env, auth.slice(7).trim()))) {
    const name = cleanStaffName(c.req.header("X-Staff-Name"));
    return name ? `staff:api:${name}` : "staff:api";
  }
  const cookie = getCookie(c, STAFF_COOKIE);
  if (!cookie) return undefined;
  const name = await staffSessionName(c, cookie, Date.now());
  return name === undefined ? undefined : `staff:page:${name}`;
}

const staffKey = (c: Context<AppEnv>): ThrottleKey[] => [
  { key: `staff:${addressGroup(clientAddress(c))}`, policy: POLICIES.staff },
];

/** 429 too_many_attempts while this address has guessed the staff token too often. */
export async function refuseStaffGuesser(c: Context<AppEnv>): Promise<void> {
  const wait = await currentWait(c.var.db, staffKey(c), Date.now());
  if (wait > 0)
    throw new AppError("too_many_attempts", "職員用トークンの誤りが続いたため、しばらくお待ちください。", { retryAfter: wait });
}

/** Counts a wrong staff token from this address. */
export const countStaffFailure = (c: Context<AppEnv>) => countAttempt(c.env.DB, staffKey(c), Date.now());

/**
 * The one staff guard: sets `staff` (who, for the audit log) or refuses — the API with 401, pages by
 * sending the browser to the staff login page.
 */
export const requireStaff =
  ({ mode }: { mode: "api" | "page" }): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const bearer = c.req.header("Authorization")?.startsWith("Bearer ");
    if (bearer) await refuseStaffGuesser(c);
    const who = await staffIdentity(c);
    if (!who) {
      if (bearer) await countStaffFailure(c);
      if (mode === "page") return c.redirect("/admin/login", 303);
      throw new AppError("unauthenticated", "職員用の認証が必要です。");
    }
    c.set("staff", who);
    await next();
  };
