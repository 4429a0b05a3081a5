// Crawlers: /robots.txt keeps them off search combinations, the cart, accounts, staff pages and the API;
// links to those carry rel=nofollow.
import { beforeAll, describe, expect, it } from "vitest";
import { loadCatalog } from "../support/catalog";
import { call } from "../support/http";

beforeAll(loadCatalog);

describe("robots.txt", () => {
  it("allows materials and the calendar, disallows search results, actions and the API; cacheable for a day", async () => {
    const res = await call("/robots.txt");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(res.headers.get("cache-control")).toBe("public, max-age=86400");
    const lines = (await res.text()).split("\n");
    expect(lines[0]).toBe("User-agent: *");
    for (const path of ["/search", "/cart", "/login", "/account", "/admin", "/api/"])
      expect(lines).toContain(`Disallow: ${path}`);
    expect(lines).toContain("Allow: /materials/");
  });

  it("marks the pager's search links and the cart and account links nofollow", async () => {
    const html = await (await call("/search?q=%E3%81%AE")).text();
    const pager = [...html.matchAll(/<a href="\/search\?[^"]*page=\d+"[^>]*>/g)].map((m) => m[0]);
    expect(pager.length).toBeGreaterThan(0);
    for (const a of pager) expect(a).toMatch(/rel="[^"]*nofollow/);
    expect(html).toMatch(/<a href="\/cart" rel="nofollow">/);
    expect(html).toMatch(/<a href="\/account" rel="nofollow">/);
  });
});
