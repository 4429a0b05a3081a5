// The header of a logged-in patron's pages says who is logged in and how many are in the cart. Pages are
// rendered without the request (layout.tsx), so the line is added to the finished HTML by HTMLRewriter;
// anonymous pages (the ones the edge cache keeps) are never touched.
import type { MiddlewareHandler } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../env";
import { isFragmentRequest } from "../views/htmx";

export const showWhoIsLoggedIn: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  const patron = c.var.patron;
  if (patron?.via !== "cookie" || isFragmentRequest(c)) return;
  if (!c.res.headers.get("Content-Type")?.startsWith("text/html")) return;
  // The name is escaped by hono/html; the count is a number.
  const line = String(
    await html`<p class="who">${patron.name} さんがログイン中 ・ <a href="/cart" rel="nofollow">予約カート ${patron.cartCount}件</a></p>`,
  );
  c.res = new HTMLRewriter()
    .on("header.site", {
      element(e) {
        e.append(line, { html: true });
      },
    })
    .transform(c.res);
};
