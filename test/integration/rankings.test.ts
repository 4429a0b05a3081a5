// ランキング (issue 10 item 2): computed by the nightly refresh from counts alone, overall and per branch;
// the page and GET /api/v1/rankings; no patron in what is kept.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { runNightly } from "../../src/jobs/nightly";
import { RANKING_DAYS } from "../../src/jobs/rankings";
import { FIXTURES, idOfTitle, loadCatalog } from "../support/catalog";
import { call, getJson } from "../support/http";
import { createPatron } from "../support/patrons";
import { insertLoan, insertReservation, itemOf } from "../support/rows";

const DAY = 86_400_000;
const kokoro = () => idOfTitle("こころ");

beforeAll(async () => {
  await loadCatalog();
  const patrons = await Promise.all([1, 2, 3].map(() => createPatron({ mustChange: false })));
  // こころ reserved three times (two at 北部), コーヒーの話 once; one long ago does not count.
  for (const [i, p] of patrons.entries())
    await insertReservation(p.id, kokoro(), i === 0 ? "applied" : "cancelled", { pickupBranch: i < 2 ? "kita" : "central" });
  await insertReservation(patrons[0]?.id as number, FIXTURES.coffee.id, "reserved");
  await insertReservation(patrons[1]?.id as number, FIXTURES.kamishibai.id, "fulfilled", {
    appliedAt: Date.now() - (RANKING_DAYS + 5) * DAY,
  });
  // コーヒーの話 borrowed twice (a returned loan counts too).
  const coffee = await itemOf(FIXTURES.coffee.id);
  await insertLoan(patrons[0]?.id as number, coffee, {
    loanedAt: Date.now() - 20 * DAY,
    dueDate: "2026-11-01",
    returnedAt: Date.now() - 5 * DAY,
  });
  await insertLoan(patrons[1]?.id as number, coffee, { loanedAt: Date.now() - DAY, dueDate: "2031-01-01" });
  await runNightly(env.DB, "2031-08-01", Date.now());
});

type Ranking = {
  kind: string;
  branch: string | null;
  computedOn: string | null;
  items: Array<{ rank: number; materialId: number; count: number }>;
};

describe("rankings", () => {
  it("most reserved overall and per pickup branch, counting the last 90 days", async () => {
    const { status, body } = await getJson<Ranking>("/api/v1/rankings?kind=reserved");
    expect(status).toBe(200);
    expect(body.items.map((r) => [r.rank, r.materialId, r.count])).toEqual([
      [1, kokoro(), 3],
      [2, FIXTURES.coffee.id, 1],
    ]);
    expect(body.computedOn).toBe("2031-08-01");
    const kita = await getJson<Ranking>("/api/v1/rankings?kind=reserved&branch=kita");
    expect(kita.body.items.map((r) => [r.materialId, r.count])).toEqual([[kokoro(), 2]]);
  });

  it("most borrowed, a returned loan counted; the table keeps no patron", async () => {
    const { body } = await getJson<Ranking>("/api/v1/rankings?kind=borrowed");
    expect(body.items[0]).toMatchObject({ rank: 1, materialId: FIXTURES.coffee.id, count: 2 });
    const columns = await env.DB.prepare("SELECT name FROM pragma_table_info('rankings')").all<{ name: string }>();
    expect(columns.results.map((c) => c.name).sort()).toEqual(["branch", "computed_on", "count", "kind", "material_id", "rank"]);
  });

  it("the page lists them with titles; bad kinds and branches are refused", async () => {
    const html = await (await call("/rankings?kind=reserved")).text();
    expect(html).toContain("ランキング：予約の多い資料");
    expect(html.indexOf(`href="/materials/${kokoro()}"`)).toBeLessThan(html.indexOf(`href="/materials/${FIXTURES.coffee.id}"`));
    expect((await call("/api/v1/rankings?kind=loved")).status).toBe(400);
    expect((await call("/api/v1/rankings?branch=nowhere")).status).toBe(400);
  });
});
