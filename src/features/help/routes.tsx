// Help pages: the reservation guide and what to do when the library's mail does not arrive. Their text is a
// static asset (content.tsx, rendered by `npm run assets`), read once per isolate through the ASSETS binding
// and served inside the layout with this deployment's settings filled in.
import type { Context } from "hono";
import { raw } from "hono/html";
import { Hono } from "hono/tiny";
import type { AppEnv } from "../../env";
import { assets } from "../../views/assets";
import { Layout } from "../../views/layout";
import { xmlText } from "../../views/xml";

const bodies = new Map<string, Promise<string>>();

/** The body of a help page, `{{name}}` replaced by the (escaped) values. */
async function helpBody(c: Context<AppEnv>, path: string, values: Record<string, string>): Promise<string> {
  let body = bodies.get(path);
  if (!body) {
    body = c.env.ASSETS.fetch(new URL(path, c.req.url)).then((res) => {
      if (!res.ok) throw new Error(`help asset ${path}: ${res.status}`);
      return res.text();
    });
    // A failed read is tried again by the next request, not remembered.
    body.catch(() => bodies.delete(path));
    bodies.set(path, body);
  }
  return (await body).replace(/\{\{(\w+)\}\}/g, (all, name: string) => (name in values ? xmlText(values[name] ?? "") : all));
}

export const helpPages = new Hono<AppEnv>()
  .get("/help/reservations", async (c) => {
    const body = await helpBody(c, assets.help.reservations, { limit: c.env.RESERVATION_LIMIT });
    return c.html(<Layout title="予約のしかた">{raw(body)}</Layout>);
  })
  .get("/help/mail", async (c) => {
    const from = c.env.MAIL_FROM;
    const body = await helpBody(c, assets.help.mail, { fromAddress: from, domain: from.split("@")[1] ?? from });
    return c.html(<Layout title="メールが届かない場合">{raw(body)}</Layout>);
  });
