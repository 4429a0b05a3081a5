// Who is asking: the patron of a bearer token or of the session cookie; and the guard that refuses
// cross-site requests riding on cookies.
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { findPatronSession, SESSION_COOKIE } from "./sessions";
import { isStaffToken } from "./staff";

/** The session token of a request and how it came. */
export function sessionToken(c: Context): { token: string; via: "bearer" | "cookie" } | undefined {
  const auth = c.req.header("Authorization");
  if (auth?.startsWith("Bearer ")) return { token: auth.slice(7).trim(), via: "bearer" };
  const cookie = getCookie(c, SESSION_COOKIE);
  return cookie ? { token: cookie, via: "cookie" } : undefined;
}

/** Sets `patron` when the request carries a live patron session. */
export const loadPatron: MiddlewareHandler<AppEnv> = async (c, next) => {
  const found = sessionToken(c);
  if (found) {
    const patron = await findPatronSession(c.var.db, found.token, Date.now());
    if (patron) c.set("patron", { ...patron, token: found.token, via: found.via });
  }
  await next();
};

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Whether the request's bearer token is the staff token or a live patron session. */
async function bearerAuthenticates(c: Context<AppEnv>): Promise<boolean> {
  const auth = c.req.header("Authorization");
  if (!auth?.startsWith("Bearer ")) return false;
  const token = auth.slice(7).trim();
  if (await isStaffToken(c.env, token)) return true;
  return (await findPatronSession(c.var.db, token, Date.now())) !== undefined;
}

/**
 * Cross-site request forgery: a state-changing request from a browser must come from our own pages.
 * Browsers send Origin on such requests (our Referrer-Policy keeps it a real origin, not "null"), so a
 * foreign or "null" Origin is refused; without Origin, a request that carries cookies must say
 * Sec-Fetch-Site: same-origin. Requests with neither cookies nor Origin (scripts, bearer tokens) carry no
 * ambient credentials and pass.
 */
export const refuseCrossSite: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (SAFE_METHODS.has(c.req.method)) return next();
  const origin = c.req.header("Origin");
  const own = new URL(c.req.url).origin;
  // A bearer token lifts the cookie rule only when it authenticates: a made-up one beside a cookie is a cookie request.
  const ridesOnCookie = Boolean(c.req.header("Cookie")) && !(await bearerAuthenticates(c));
  const allowed = origin !== undefined ? origin === own : !ridesOnCookie || c.req.header("Sec-Fetch-Site") === "same-origin";
  if (!allowed) {
    throw new AppError(
      "forbidden",
      "このページからの操作は受け付けられません。図書館のページを開き直して、もう一度お試しください。",
    );
  }
  return next();
};

/** The patron of the request, or 401 unauthenticated. */
export function requirePatron(c: Context<AppEnv>) {
  const patron = c.var.patron;
  if (!patron) throw new AppError("unauthenticated", "ログインしてください。");
  return patron;
}

// The temporary-credentials gate, in one place: until a patron has changed the counter's temporary
// password and e-mail, the API answers only GET /me, PUT /me/credentials and the session routes, and pages
// lead to 個人情報変更 (then back to where the patron was going).

/** 403 credentials_change_required, with extra members (e.g. a token) when given. */
export const credentialsChangeRequired = (message = "はじめに、メールアドレスとパスワードを変更してください。", extra = {}) =>
  new AppError("credentials_change_required", message, extra);

const OPEN_WITH_TEMPORARY_CREDENTIALS = new Set([
  "GET /api/v1/me",
  "PUT /api/v1/me/credentials",
  "POST /api/v1/session",
  "DELETE /api/v1/session",
]);

/** For /api/v1/*: a patron with temporary credentials reaches only the routes above (staff are not patrons). */
export const gateTemporaryCredentials: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.var.patron?.mustChangeCredentials && !c.var.staff) {
    const route = `${c.req.method} ${c.req.path.replace(/\/+$/, "")}`;
    if (!OPEN_WITH_TEMPORARY_CREDENTIALS.has(route)) throw credentialsChangeRequired();
  }
  await next();
};

/** For pages: the change screen first when the patron still has temporary credentials, then `next`. */
export const changeCredentialsFirst = (c: Context<AppEnv>, next: string): Response | undefined =>
  c.var.patron?.mustChangeCredentials ? c.redirect(`/account/profile?next=${encodeURIComponent(next)}`, 303) : undefined;

/** The patron, once their temporary credentials are changed; until then 403 credentials_change_required. */
export function requireReadyPatron(c: Context<AppEnv>) {
  const patron = requirePatron(c);
  if (patron.mustChangeCredentials) throw credentialsChangeRequired();
  return patron;
}
