// D1 read replication through the Sessions API. Reads may be served by a replica near the patron;
// the bookmark of a browser's last write is kept in a cookie, so the next request's session starts at
// least there and the patron always reads their own writes. Without replication enabled (and locally)
// every session simply reads the primary, as before.
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../env";
import { createDb } from "./client";

export const BOOKMARK_COOKIE = "__Host-d1-bookmark";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
// A D1 bookmark is a few hex groups; anything else is ignored rather than handed to D1.
const BOOKMARK = /^[0-9a-f-]{16,200}$/;

/** Where a request's session starts: at the primary for writes, staff and bearer clients; else after the browser's last write, or anywhere. */
function sessionStart(c: Context<AppEnv>): string {
  const path = c.req.path;
  // Writes, staff work and bearer-token clients (which keep no cookie) read the primary.
  const staff = path.startsWith("/admin") || path.startsWith("/api/v1/admin");
  const bearer = c.req.header("Authorization")?.startsWith("Bearer ") ?? false;
  if (!SAFE_METHODS.has(c.req.method) || staff || bearer) return "first-primary";
  const saved = getCookie(c, BOOKMARK_COOKIE);
  return saved && BOOKMARK.test(saved) ? saved : "first-unconstrained";
}

/** Makes a session the request's: raw queries (`c.var.d1`) and Drizzle (`c.var.db`) go through it. */
function use(c: Context<AppEnv>, session: D1DatabaseSession) {
  c.set("session", session);
  c.set("d1", session);
  c.set("db", createDb(session));
}

/** The later of two bookmarks (D1's bookmarks sort oldest to newest). */
export const laterBookmark = (a: string | null | undefined, b: string | null | undefined) =>
  (a ?? "") >= (b ?? "") ? (a ?? null) : (b ?? null);

/**
 * Records a bookmark of writes made elsewhere for this request (a Durable Object's own session): the
 * request's later reads start after it, and the browser keeps it.
 */
export function noteBookmark(c: Context<AppEnv>, bookmark: string | null | undefined) {
  const later = laterBookmark(c.var.bookmark, bookmark);
  c.set("bookmark", later);
  if (later && BOOKMARK.test(later)) use(c, c.env.DB.withSession(later));
}

/** Opens the request's D1 session; after a write, keeps its bookmark for the browser's next request. */
export const d1Session: MiddlewareHandler<AppEnv> = async (c, next) => {
  use(c, c.env.DB.withSession(sessionStart(c)));
  await next();
  if (SAFE_METHODS.has(c.req.method)) return;
  const bookmark = laterBookmark(c.var.session?.getBookmark(), c.var.bookmark);
  // Browsers only (they came with a cookie or get one now); API clients read the primary instead.
  const browser = c.req.header("Cookie") !== undefined || c.res.headers.has("Set-Cookie");
  if (bookmark && BOOKMARK.test(bookmark) && browser) {
    setCookie(c, BOOKMARK_COOKIE, bookmark, { path: "/", secure: true, httpOnly: true, sameSite: "Lax" });
  }
};

/** The value of a Durable Object's call, its bookmark noted for this request. */
export async function bookmarked<T>(c: Context<AppEnv>, call: Promise<{ value: T; bookmark: string | null }>): Promise<T> {
  const { value, bookmark } = await call;
  noteBookmark(c, bookmark);
  return value;
}
