// Demo records as SQL text: multi-row INSERTs with literal values, for `wrangler d1 execute --file` and D1 exec().
import { materialSearchRow, titleNorm, titleSortKey } from "../../src/domain/search-text";
import type { DemoBranch, DemoItem, DemoMaterial } from "./catalog";

type Value = string | number | boolean | null;

export function literal(v: Value): string {
  if (v === null) return "NULL";
  if (typeof v === "boolean") return v ? "1" : "0";
  if (typeof v === "number") return String(v);
  return `'${v.replaceAll("'", "''")}'`;
}

/** INSERT statements of at most `rowsPer` rows each. */
export function inserts(table: string, columns: string[], rows: Value[][], rowsPer = 200): string[] {
  const out: string[] = [];
  for (let i = 0; i < rows.length; i += rowsPer) {
    const values = rows
      .slice(i, i + rowsPer)
      .map((r) => `(${r.map(literal).join(",")})`)
      .join(",\n");
    out.push(`INSERT INTO ${table} (${columns.join(",")}) VALUES\n${values};`);
  }
  return out;
}

export const branchInserts = (branches: DemoBranch[]) =>
  inserts(
    "branches",
    ["code", "name", "pickup", "sort_order", "address", "phone", "hours"],
    branches.map((b) => [b.code, b.name, b.pickup, b.sortOrder, b.address, b.phone, b.hours]),
  );

/** Materials and their search rows (the FTS index follows by trigger). */
export function materialInserts(materials: DemoMaterial[]): string[] {
  const materialRows = materials.map((m) => [
    m.id,
    m.title,
    m.titleKana,
    m.author,
    m.authorKana,
    m.publisher,
    m.year,
    m.isbn,
    m.ndc,
    m.subject,
    m.series,
    m.type,
    m.magazineTitle,
    m.issueLabel,
    m.issueDate,
    m.latestIssue,
    titleSortKey(m.title, m.titleKana),
    titleNorm(m.title, m.titleKana),
  ]);
  const searchRows = materials.map((m) => {
    const s = materialSearchRow(m);
    return [m.id, s.title, s.author, s.publisher, s.subject];
  });
  return [
    ...inserts(
      "materials",
      [
        "id",
        "title",
        "title_kana",
        "author",
        "author_kana",
        "publisher",
        "year",
        "isbn",
        "ndc",
        "subject",
        "series",
        "type",
        "magazine_title",
        "issue_label",
        "issue_date",
        "latest_issue",
        "title_sort",
        "title_norm",
      ],
      materialRows,
    ),
    ...inserts("material_search", ["material_id", "title", "author", "publisher", "subject"], searchRows),
  ];
}

export const itemInserts = (items: DemoItem[]) =>
  inserts(
    "items",
    ["id", "material_id", "branch_code", "barcode", "call_number", "status", "loanable"],
    items.map((i) => [i.id, i.materialId, i.branchCode, i.barcode, i.callNumber, i.status, i.loanable]),
  );
