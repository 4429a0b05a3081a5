// Discoverability (issue 10 item 9): /isbn/:isbn for link services, the OpenSearch description, the
// sitemap of material pages that robots.txt points to.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { FIXTURES, loadCatalog } from "../support/catalog";
import { call } from "../support/http";

beforeAll(loadCatalog);

const SITE = env.PUBLIC_BASE_URL.replace(/\/+$/, "");

describe("/isbn/:isbn", () => {
  it("goes to the one material with that ISBN, whichever way it is written (13 or 10 digits, hyphens)", async () => {
    for (const written of ["9784003101018", "978-4-00-310101-8", "4003101014"]) {
      const res = await call(`/isbn/${written}`, { redirect: "manual" });
      expect(res.status, written).toBe(302);
      expect(res.headers.get("Location")).toBe(`/materials/${FIXTURES.isbn.id}`);
    }
  });

  it("goes to a search by ISBN when none (or several) hold it", async () => {
    const res = await call("/isbn/9784101010014", { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/search?isbn=9784101010014");
    const search = await call("/search?isbn=9784101010014");
    expect(search.status).toBe(200);
  });

  it("a number that is not an ISBN is 404 with a Japanese page", async () => {
    const res = await call("/isbn/12345");
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("ISBNの形式が正しくありません。");
  });
});

describe("OpenSearch and the sitemap", () => {
  it("describes the catalog search for browsers, linked from every page", async () => {
    const res = await call("/opensearch.xml");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/opensearchdescription\+xml/);
    const xml = await res.text();
    expect(xml).toContain(`<Url type="text/html" method="get" template="${SITE}/search?q={searchTerms}"/>`);
    expect(xml).toContain("<ShortName>みなみ市立図書館</ShortName>");
    const home = await (await call("/")).text();
    expect(home).toContain('<link rel="search" type="application/opensearchdescription+xml"');
  });

  it("lists every material page in the sitemap files the index names; robots.txt points to the index", async () => {
    const robots = await (await call("/robots.txt")).text();
    expect(robots).toContain(`Sitemap: ${SITE}/sitemap.xml`);
    const index = await (await call("/sitemap.xml")).text();
    const files = [...index.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1] as string);
    expect(files).toEqual([`${SITE}/sitemaps/materials-1.xml`]);
    const sitemap = await call("/sitemaps/materials-1.xml");
    expect(sitemap.headers.get("content-type")).toMatch(/^application\/xml/);
    const urls = [...(await sitemap.text()).matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
    const count = await env.DB.prepare("SELECT count(*) AS n FROM materials").first<{ n: number }>();
    expect(urls).toHaveLength(count?.n ?? -1);
    expect(urls).toContain(`${SITE}/materials/${FIXTURES.coffee.id}`);
    // A file past the end is 404.
    expect((await call("/sitemaps/materials-9.xml")).status).toBe(404);
  });
});
