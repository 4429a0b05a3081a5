// The plans for large result sets (index-order tiers, sort-index walks, capped counts) return the same
// materials as ranking every hit; limits are lowered so the small test catalog exercises them.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { type SearchLimits, type SearchParams, type SearchResult, searchMaterials } from "../../src/features/catalog/search";
import { FIXTURES, idOfTitle, loadCatalog } from "../support/catalog";

beforeAll(loadCatalog);

const TINY: SearchLimits = { rankAll: 5, countCap: 10, exactCap: 100_000 };
const base: SearchParams = { sort: "relevance", page: 1, perPage: 7 };

async function everyPage(params: Partial<SearchParams>, limits?: SearchLimits): Promise<{ ids: number[]; first: SearchResult }> {
  const ids: number[] = [];
  let first: SearchResult | undefined;
  for (let page = 1; page < 200; page++) {
    const result = await searchMaterials(env.DB, { ...base, ...params, page }, limits ? { limits } : {});
    first ??= result;
    if (result.items.length === 0) break;
    ids.push(...result.items.map((i) => i.id));
  }
  return { ids, first: first as SearchResult };
}

describe("large-result plans", () => {
  it("the relevance tiers page through exactly the materials that ranking every hit finds, once each", async () => {
    const all = await everyPage({ q: "の" });
    const tiers = await everyPage({ q: "の" }, TINY);
    expect(all.ids.length).toBeGreaterThan(50);
    expect(new Set(tiers.ids).size).toBe(tiers.ids.length);
    expect([...tiers.ids].sort((a, b) => a - b)).toEqual([...all.ids].sort((a, b) => a - b));
    expect(tiers.first.total).toBe(all.first.total);
  });

  it("the relevance tiers put a title hit before a material that only has the word in its author", async () => {
    const { ids } = await everyPage({ q: "猫" }, TINY);
    expect(ids.indexOf(idOfTitle("吾輩は猫である"))).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(idOfTitle("吾輩は猫である"))).toBeLessThan(ids.indexOf(FIXTURES.authorCat.id));
  });

  it.each(["newest", "title"] as const)("walking the %s index gives the same sequence as sorting every hit", async (sort) => {
    const all = await everyPage({ q: "の", sort });
    const walked = await everyPage({ q: "の", sort }, TINY);
    expect(walked.ids).toEqual(all.ids);
  });

  it("with filters, a count past the cap stops there, says so, and no page goes beyond it", async () => {
    const { ids, first } = await everyPage({ q: "の", type: "book" }, TINY);
    expect(first.total).toBe(TINY.countCap);
    expect(first.totalCapped).toBe(true);
    expect(ids.length).toBe(TINY.countCap);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("with filters under the cap, the count is exact and not marked capped", async () => {
    const result = await searchMaterials(
      env.DB,
      { ...base, q: "漱石", branch: "kita" },
      { limits: { rankAll: 5, countCap: 1000, exactCap: 100_000 } },
    );
    const all = await searchMaterials(env.DB, { ...base, q: "漱石", branch: "kita", perPage: 100 });
    expect(result.total).toBe(all.total);
    expect(result.totalCapped).toBe(false);
  });

  it("without filters, a count past the exact cap stops there, says so, and the pages stay within it", async () => {
    const limits = { ...TINY, exactCap: 30 };
    const all = await searchMaterials(env.DB, { ...base, q: "の" });
    expect(all.total).toBeGreaterThan(limits.exactCap);
    for (const sort of ["relevance", "newest"] as const) {
      const { ids, first } = await everyPage({ q: "の", sort }, limits);
      expect(first.total).toBe(limits.exactCap);
      expect(first.totalCapped).toBe(true);
      expect(ids.length).toBe(limits.exactCap);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it("without filters, a count is exact past the filters' cap", async () => {
    const tiny = await searchMaterials(env.DB, { ...base, q: "の" }, { limits: TINY });
    const all = await searchMaterials(env.DB, { ...base, q: "の" });
    expect(tiny.total).toBe(all.total);
    expect(tiny.total).toBeGreaterThan(TINY.countCap);
    expect(tiny.totalCapped).toBe(false);
  });

  it("with no text and no filters, the whole catalog is counted exactly", async () => {
    const row = await env.DB.prepare("SELECT count(*) AS n FROM materials").first<{ n: number }>();
    const result = await searchMaterials(env.DB, { ...base, sort: "title" }, { limits: TINY });
    expect(result.total).toBe(row?.n);
    expect(result.totalCapped).toBe(false);
  });

  it("with filters and no text, the count stops at the cap and says so", async () => {
    const result = await searchMaterials(env.DB, { ...base, type: "book" }, { limits: TINY });
    expect(result.total).toBe(TINY.countCap);
    expect(result.totalCapped).toBe(true);
  });
});
