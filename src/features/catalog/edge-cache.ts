// The edge cache (Workers Cache API) for anonymous catalog pages and their JSON: the top page, search,
// material pages, the calendar and branches are the same for everyone who is not logged in and has no
// cart, so one rendering serves them all for CATALOG_CACHE_SECONDS, and as long again while a fresh one
// is rendered behind it (stale-while-revalidate). A page is stored the second time it is asked for. The key carries the catalog version, so a staff change
// is never hidden; availability counts may lag by the cache's lifetime, and the page says when it was
// rendered (「○時○分現在」). A request with a session, cart or staff cookie, or a bearer token, is never
// served from nor stored in the cache. See docs/caching.md.
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { SESSION_COOKIE } from "../../auth/sessions";
import { STAFF_COOKIE } from "../../auth/staff";
import type { AppEnv } from "../../env";
import { settingsOf } from "../../settings";
import { isFragmentRequest } from "../../views/htmx";
import { CART_COOKIE } from "../cart/queries";
import { versionFor } from "./reference";

const CACHEABLE = [
  /^\/$/,
  /^\/search$/,
  /^\/materials\/[^/]+$/,
  /^\/calendar(\.ics)?$/,
  /^\/branches(\/[^/]+)?$/,
  /^\/(sitemap|opensearch)\.xml$/,
  /^\/(new-arrivals|rankings)$/,
  /^\/feeds\/new\.(atom|json)$/,
  /^\/sitemaps\/[^/]+$/,
  /^\/api\/v1\/(branches|calendar|materials|new-arrivals|rankings)$/,
  /^\/api\/v1\/materials\/[^/]+$/,
];
const PERSONAL_COOKIES = [SESSION_COOKIE, CART_COOKIE, STAFF_COOKIE];
const STORED_AT = "X-Stored-At";
/** Request headers a page depends on: htmx's, which choose between a page and a fragment. */
const RENDER_HEADERS = ["HX-Request", "HX-Request-Type", "HX-History-Restore-Request", "HX-Target", "Accept"];

const isCacheable = (path: string) => CACHEABLE.some((r) => r.test(path));

/** Whether the request may carry or see something of one person: then the cache stays out of it. */
function isPersonal(c: Context<AppEnv>): boolean {
  return c.req.header("Authorization") !== undefined || PERSONAL_COOKIES.some((name) => getCookie(c, name) !== undefined);
}

/** The cache key: the path, the query in a stable order, page or fragment, and the catalog version. */
export function cacheKey(url: URL, version: number, fragment: boolean): Request {
  const params = [...url.searchParams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = new URLSearchParams(params);
  query.set("__catalog", String(version));
  query.set("__part", fragment ? "fragment" : "page");
  return new Request(`${url.origin}${url.pathname}?${query}`);
}

/**
 * Keys asked for once in this isolate and not stored: a page is stored when it is asked for again, so the
 * long tail of one-off addresses (crawlers walking search combinations, typos) costs no cache write.
 */
const askedOnce = new Set<string>();
const ASKED_KEPT = 5000;

function secondAsk(key: string): boolean {
  if (askedOnce.delete(key)) return true;
  askedOnce.add(key);
  if (askedOnce.size > ASKED_KEPT) askedOnce.delete(askedOnce.values().next().value as string);
  return false;
}

/** Requests the cache makes itself to render a stale page again. */
const revalidating = new WeakSet<Request>();
/** Keys being rendered again in this isolate, so a burst of stale hits renders once. */
const refreshing = new Set<string>();

/** The stored copy: shared, kept for twice the fresh time (fresh, then stale while a new one renders). */
function storable(res: Response, seconds: number, now: number): Response {
  const copy = new Response(res.body, res);
  copy.headers.set("Cache-Control", `public, max-age=${seconds * 2}`);
  copy.headers.set(STORED_AT, String(now));
  copy.headers.delete("Set-Cookie");
  return copy;
}

/** What the browser gets: as any page of ours, not stored by the browser, with how old it is. */
function served(hit: Response, state: "HIT" | "STALE", age: number): Response {
  const res = new Response(hit.body, hit);
  res.headers.set("Cache-Control", "private, no-store");
  res.headers.set("Age", String(age));
  res.headers.set("X-Cache", state);
  res.headers.delete(STORED_AT);
  return res;
}

type Render = (request: Request, env: Env, ctx: Context<AppEnv>["executionCtx"]) => Response | Promise<Response>;

/** The middleware; `render` is the app itself, for rendering a stale page again behind the response. */
export function edgeCache(render: Render): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const seconds = settingsOf(c.env).catalogCacheSeconds;
    if (seconds === 0 || c.req.method !== "GET" || revalidating.has(c.req.raw) || !isCacheable(c.req.path) || isPersonal(c))
      return next();
    const cache = caches.default;
    const key = cacheKey(new URL(c.req.url), await versionFor(c), isFragmentRequest(c));
    const hit = await cache.match(key);
    const now = Date.now();
    if (hit) {
      const age = Math.max(0, Math.floor((now - Number(hit.headers.get(STORED_AT))) / 1000));
      if (age < seconds) return served(hit, "HIT", age);
      if (!refreshing.has(key.url)) {
        refreshing.add(key.url);
        const again = new Request(c.req.url, {
          headers: RENDER_HEADERS.flatMap((h) => {
            const v = c.req.header(h);
            return v === undefined ? [] : [[h, v] as [string, string]];
          }),
        });
        revalidating.add(again);
        c.executionCtx.waitUntil(
          (async () => {
            const fresh = await render(again, c.env, c.executionCtx);
            fresh.headers.set("Last-Modified", new Date().toUTCString());
            if (fresh.status === 200) await cache.put(key, storable(fresh, seconds, Date.now()));
          })().finally(() => refreshing.delete(key.url)),
        );
      }
      return served(hit, "STALE", age);
    }
    await next();
    // When it was rendered, for JSON clients too (pages also say 「○時○分現在」).
    c.header("Last-Modified", new Date(now).toUTCString());
    if (c.res.status === 200 && !c.res.headers.has("Set-Cookie") && secondAsk(key.url)) {
      c.executionCtx.waitUntil(cache.put(key, storable(c.res.clone(), seconds, now)));
    }
    c.header("X-Cache", "MISS");
  };
}
