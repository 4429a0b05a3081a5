// Staff access: the ADMIN_TOKEN as a bearer token for the API (compared in constant time), or a short
// staff session started by typing the token on the staff login page. Anything else answers 401.

import { and, eq, gt } from "drizzle-orm";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { sessions } from "../db/schema";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { randomToken, sha256Hex, timingSafeEqual } from "./tokens";

export const STAFF_COOKIE = "__Host-staff";
export const STAFF_SESSION_MS = 8 * 60 * 60 * 1000;

/** Whether the given text is the staff token (constant time). */
export const isStaffToken = async (env: Env, token: string) =>
  Boolean(env.ADMIN_TOKEN) && (await timingSafeEqual(token, env.ADMIN_TOKEN));

export async function createStaffSession(c: Context<AppEnv>, now: number): Promise<string> {
  const token = randomToken();
  await c.var.db.insert(sessions).values({
    tokenHash: await sha256Hex(token),
    kind: "staff",
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + STAFF_SESSION_MS,
  });
  return token;
}

async function staffSessionValid(c: Context<AppEnv>, token: string, now: number): Promise<boolean> {
  const [row] = await c.var.db
    .select({ tokenHash: sessions.tokenHash })
    .from(sessions)
    .where(and(eq(sessions.tokenHash, await sha256Hex(token)), eq(sessions.kind, "staff"), gt(sessions.expiresAt, now)))
    .limit(1);
  return Boolean(row);
}

/** Who the staff member is for the audit log: the API token or a page session. */
export async function staffIdentity(c: Context<AppEnv>): Promise<string | undefined> {
  const auth = c.req.header("Authorization");
  if (auth?.startsWith("Bearer ") && (await isStaffToken(c.env, auth.slice(7).trim()))) return "staff:api";
  const cookie = getCookie(c, STAFF_COOKIE);
  if (cookie && (await staffSessionValid(c, cookie, Date.now()))) return "staff:page";
  return undefined;
}

/** Gate for /api/v1/admin/*: staff or 401, before anything else runs. */
export const requireStaffApi: MiddlewareHandler<AppEnv> = async (c, next) => {
  const who = await staffIdentity(c);
  if (!who) throw new AppError("unauthenticated", "職員用の認証が必要です。");
  c.set("staff", who);
  await next();
};
