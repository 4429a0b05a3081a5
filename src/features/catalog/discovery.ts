// Discoverability (issue 10 item 9): a stable ISBN address that link services such as カーリル can use,
// an OpenSearch description so browsers can add the catalog as a search engine, and a sitemap of the
// material pages for crawlers (robots.txt points to it).
import { Hono } from "hono/tiny";
import { toIsbn13 } from "../../domain/isbn";
import type { AppEnv } from "../../env";
import { notFound } from "../../errors";
import { settingsOf } from "../../settings";
import { xmlText } from "../../views/xml";

/** Material pages per sitemap file (the protocol allows 50,000; a smaller file is a short D1 read). */
export const SITEMAP_PAGE = 10_000;
const ONE_DAY = "public, max-age=86400";

export const discoveryPages = new Hono<AppEnv>()
  .get("/isbn/:isbn", async (c) => {
    const isbn = toIsbn13(c.req.param("isbn"));
    if (!isbn) throw notFound("ISBNの形式が正しくありません。10桁または13桁の番号でお試しください。");
    const rows = await c.var.d1
      .prepare("SELECT id FROM materials WHERE isbn = ? ORDER BY id LIMIT 2")
      .bind(isbn)
      .all<{ id: number }>();
    const only = rows.results.length === 1 ? rows.results[0] : undefined;
    // One material: its page; several or none: the search by ISBN says which, or that none is held.
    return c.redirect(only ? `/materials/${only.id}` : `/search?isbn=${isbn}`, 302);
  })
  .get("/opensearch.xml", (c) => {
    const { baseUrl, libraryName } = settingsOf(c.env);
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">
  <ShortName>${xmlText(libraryName)}</ShortName>
  <Description>${xmlText(`${libraryName}の蔵書を検索します`)}</Description>
  <InputEncoding>UTF-8</InputEncoding>
  <Language>ja</Language>
  <Url type="text/html" method="get" template="${xmlText(baseUrl)}/search?q={searchTerms}"/>
  <Url type="application/json" method="get" template="${xmlText(baseUrl)}/api/v1/materials?q={searchTerms}"/>
</OpenSearchDescription>
`;
    return c.body(xml, 200, { "Content-Type": "application/opensearchdescription+xml; charset=utf-8", "Cache-Control": ONE_DAY });
  })
  .get("/sitemap.xml", async (c) => {
    const { baseUrl } = settingsOf(c.env);
    const row = await c.var.d1.prepare("SELECT count(*) AS n FROM materials").first<{ n: number }>();
    const files = Math.max(1, Math.ceil((row?.n ?? 0) / SITEMAP_PAGE));
    const entries = Array.from(
      { length: files },
      (_, i) => `  <sitemap><loc>${xmlText(baseUrl)}/sitemaps/materials-${i + 1}.xml</loc></sitemap>`,
    );
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${entries.join("\n")}
</sitemapindex>
`;
    return c.body(xml, 200, { "Content-Type": "application/xml; charset=utf-8", "Cache-Control": ONE_DAY });
  })
  .get("/sitemaps/:file{materials-[0-9]+\\.xml}", async (c) => {
    const n = Number(/materials-(\d+)\.xml/.exec(c.req.param("file"))?.[1]);
    if (!Number.isSafeInteger(n) || n < 1 || n > 100_000) throw notFound();
    const { baseUrl } = settingsOf(c.env);
    // The n-th run of SITEMAP_PAGE materials in id order (an offset on the primary key's index).
    const rows = await c.var.d1
      .prepare("SELECT id, coalesce(updated_at, created_at) AS at FROM materials ORDER BY id LIMIT ? OFFSET ?")
      .bind(SITEMAP_PAGE, (n - 1) * SITEMAP_PAGE)
      .all<{ id: number; at: number }>();
    if (rows.results.length === 0 && n > 1) throw notFound();
    const urls = rows.results.map(
      (r) =>
        `  <url><loc>${xmlText(baseUrl)}/materials/${r.id}</loc><lastmod>${new Date(r.at).toISOString().slice(0, 10)}</lastmod></url>`,
    );
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${urls.join("\n")}
</urlset>
`;
    return c.body(xml, 200, { "Content-Type": "application/xml; charset=utf-8", "Cache-Control": ONE_DAY });
  });
