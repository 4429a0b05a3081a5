// Feeds of 新着資料 (issue 10 item 1): Atom 1.0 and JSON Feed 1.1 of the same lists as /new-arrivals (same
// filters), with stable URLs and cache headers, so people and link services follow new books without
// scraping the pages. Written here rather than with the `feed` package: it would add 14 KiB gzip (xml-js)
// to a 150 KiB Worker budget for two small, fixed formats; tests parse both back.
import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { tokyoIso } from "../../domain/calendar";
import { MATERIAL_TYPE_LABELS } from "../../domain/codes";
import type { AppEnv } from "../../env";
import { settingsOf } from "../../settings";
import { parseOr400 } from "../../validation";
import { xmlText } from "../../views/xml";
import { newArrivals } from "./new-arrivals";
import { namedBranch } from "./reference";
import { newArrivalsSchema } from "./schemas";
import type { MaterialSummary } from "./search";

/** Entries per feed: the newest. */
export const FEED_ENTRIES = 50;
/** Readers poll: five minutes in browsers and shared caches (the edge keeps them as catalog pages). */
const FEED_CACHE = "public, max-age=300";

/** What an entry says of a material: author, publisher, year, type. */
const summaryOf = (m: MaterialSummary) =>
  [m.author, m.publisher, m.year ? `${m.year}年` : null, MATERIAL_TYPE_LABELS[m.type]].filter(Boolean).join(" / ");

/** The filters as a stable query string (the same list at the same URL). */
function queryOf(f: { branch?: string; ndc?: string; type?: string }): string {
  const p = new URLSearchParams();
  for (const k of ["branch", "ndc", "type"] as const) if (f[k]) p.set(k, f[k] as string);
  const s = p.toString();
  return s ? `?${s}` : "";
}

async function feedData(c: Context<AppEnv>) {
  const filters = parseOr400(newArrivalsSchema, c.req.query());
  const branch = await namedBranch(c, filters.branch, "所蔵館");
  const now = Date.now();
  const list = await newArrivals(c.var.d1, { ...filters, page: 1, perPage: FEED_ENTRIES }, now);
  const { baseUrl, libraryName } = settingsOf(c.env);
  const q = queryOf(filters);
  return {
    list,
    baseUrl,
    title: `${libraryName} 新着資料${branch ? `（${branch.name}）` : ""}`,
    page: `${baseUrl}/new-arrivals${q}`,
    self: (ext: "atom" | "json") => `${baseUrl}/feeds/new.${ext}${q}`,
    // The feed changed when its newest entry was added (now only when it is empty).
    updated: list.addedAt.size > 0 ? Math.max(...list.addedAt.values()) : now,
  };
}

export const feedRoutes = new Hono<AppEnv>()
  .get("/feeds/new.atom", async (c) => {
    const f = await feedData(c);
    const entries = f.list.items.map((m) => {
      const link = `${f.baseUrl}/materials/${m.id}`;
      const at = tokyoIso(f.list.addedAt.get(m.id) ?? f.updated);
      return `  <entry>
    <id>${xmlText(link)}</id>
    <title>${xmlText(m.title)}</title>
    <link rel="alternate" type="text/html" href="${xmlText(link)}"/>
    <updated>${at}</updated>
    <published>${at}</published>
    <summary>${xmlText(summaryOf(m))}</summary>${m.author ? `\n    <author><name>${xmlText(m.author)}</name></author>` : ""}
  </entry>`;
    });
    const body = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ja">
  <id>${xmlText(f.self("atom"))}</id>
  <title>${xmlText(f.title)}</title>
  <updated>${tokyoIso(f.updated)}</updated>
  <link rel="self" type="application/atom+xml" href="${xmlText(f.self("atom"))}"/>
  <link rel="alternate" type="text/html" href="${xmlText(f.page)}"/>
  <author><name>${xmlText(settingsOf(c.env).libraryName)}</name></author>
${entries.join("\n")}
</feed>
`;
    return c.body(body, 200, { "Content-Type": "application/atom+xml; charset=utf-8", "Cache-Control": FEED_CACHE });
  })
  .get("/feeds/new.json", async (c) => {
    const f = await feedData(c);
    const body = {
      version: "https://jsonfeed.org/version/1.1",
      title: f.title,
      home_page_url: f.page,
      feed_url: f.self("json"),
      language: "ja",
      authors: [{ name: settingsOf(c.env).libraryName }],
      items: f.list.items.map((m) => ({
        id: `${f.baseUrl}/materials/${m.id}`,
        url: `${f.baseUrl}/materials/${m.id}`,
        title: m.title,
        content_text: summaryOf(m),
        date_published: tokyoIso(f.list.addedAt.get(m.id) ?? f.updated),
        ...(m.author ? { authors: [{ name: m.author }] } : {}),
      })),
    };
    return c.body(JSON.stringify(body), 200, {
      "Content-Type": "application/feed+json; charset=utf-8",
      "Cache-Control": FEED_CACHE,
    });
  });
