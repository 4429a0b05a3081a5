// Builds the Hono app: security headers, the per-request database, error mapping, one route per feature.

import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import { Hono } from "hono/tiny";
import { gateTemporaryCredentials, loadPatron, refuseCrossSite } from "./auth/middleware";
import { requireStaff } from "./auth/staff";
import { logConfigProblemsOnce } from "./config";
import { d1Session } from "./db/session";
import type { AppEnv } from "./env";
import { AppError, notFound } from "./errors";
import { readingRecordApi, readingRecordPages } from "./features/account/reading-record-routes";
import { accountApi, accountPages } from "./features/account/routes";
import { statusApi, statusPages } from "./features/account/status-routes";
import { adminPages } from "./features/admin/pages";
import { adminApi } from "./features/admin/routes";
import { branchPages } from "./features/branches/routes";
import { cartApi, cartPages } from "./features/cart/routes";
import { calendarIcs } from "./features/catalog/calendar-ics";
import { discoveryPages } from "./features/catalog/discovery";
import { edgeCache } from "./features/catalog/edge-cache";
import { feedRoutes } from "./features/catalog/feeds";
import { rankingApi, rankingPages } from "./features/catalog/rankings";
import { forgetAfterStaffWrite } from "./features/catalog/reference";
import { catalogApi, catalogPages } from "./features/catalog/routes";
import { helpPages } from "./features/help/routes";
import { hookApi } from "./features/hooks/routes";
import { limitBodies, requireJsonBodies } from "./http/bodies";
import { shedLoad } from "./http/shed";
import { showWhoIsLoggedIn } from "./http/who";
import { isFragmentRequest } from "./views/htmx";
import { MessageFragment, MessagePage } from "./views/layout";

const isApi = (path: string) => path.startsWith("/api/");

export function buildApp() {
  const app = new Hono<AppEnv>();

  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
      },
      strictTransportSecurity: "max-age=31536000; includeSubDomains",
      referrerPolicy: "strict-origin-when-cross-origin",
      xFrameOptions: "DENY",
      crossOriginEmbedderPolicy: false,
    }),
  );

  app.use(async (c, next) => {
    logConfigProblemsOnce(c.env);
    await next();
    // Pages and JSON may carry a patron's state: never stored by browsers or shared caches.
    if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "private, no-store");
  });

  // Over a client's budget: 429 before any body is read or query made.
  app.use(shedLoad);
  app.use(d1Session);
  // Anonymous catalog pages from the edge cache, before any session lookup or body is read.
  app.use(edgeCache((request, env, ctx) => app.fetch(request, env, ctx)));
  app.use(limitBodies);
  app.use("/api/*", requireJsonBodies);
  app.use(refuseCrossSite);
  // Staff API: the token (or a staff session) before anything else, even for paths that do not exist.
  app.use("/api/v1/admin/*", requireStaff({ mode: "api" }));
  app.use("/admin/*", forgetAfterStaffWrite);
  app.use("/api/v1/admin/*", forgetAfterStaffWrite);
  app.use(loadPatron);
  app.use(showWhoIsLoggedIn);
  app.use("/api/v1/*", gateTemporaryCredentials);

  app.route("/", catalogPages);
  app.route("/", helpPages);
  app.route("/", branchPages);
  app.route("/", discoveryPages);
  app.route("/", feedRoutes);
  app.route("/", calendarIcs);
  app.route("/", rankingPages);
  app.route("/", accountPages);
  app.route("/", statusPages);
  app.route("/", readingRecordPages);
  app.route("/", cartPages);
  app.route("/", adminPages);
  app.route("/api/v1/admin", adminApi);
  app.route("/api/v1", catalogApi);
  app.route("/api/v1", rankingApi);
  app.route("/api/v1", accountApi);
  app.route("/api/v1", statusApi);
  app.route("/api/v1", readingRecordApi);
  app.route("/api/v1", cartApi);
  app.route("/api/v1", hookApi);

  app.notFound(() => {
    throw notFound();
  });

  app.onError((err, c) => {
    // A body the framework could not parse (malformed JSON) is the client's fault, said in the contract's words.
    const known =
      err instanceof AppError
        ? err
        : err instanceof HTTPException && err.status === 400
          ? new AppError("invalid_request", "送信された内容を読み取れませんでした。JSON の形式を確かめてください。")
          : undefined;
    if (!known) {
      // Only the error's kind and message: no request data, which may carry personal details.
      console.error("unhandled error", err.name, err.message);
    }
    const status = known?.status ?? 500;
    const code = known?.code ?? "internal_error";
    const message =
      known?.message ?? "申し訳ありません。システムでエラーが発生しました。しばらくしてからもう一度お試しください。";
    c.header("Cache-Control", "private, no-store");
    if (known?.code === "too_many_attempts" || known?.code === "rate_limited")
      c.header("Retry-After", String(known.extra.retryAfter ?? 60));
    if (isApi(c.req.path)) return c.json({ error: { code, message, ...(known?.extra ?? {}) } }, status);
    const title = status === 404 ? "ページが見つかりません" : status >= 500 ? "エラーが発生しました" : "エラー";
    if (isFragmentRequest(c)) return c.html(<MessageFragment title={title} message={message} />, status);
    return c.html(<MessagePage title={title} message={message} />, status);
  });

  return app;
}
