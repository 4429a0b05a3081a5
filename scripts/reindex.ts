// `npm run db:reindex [-- --remote --env production] [-- --recompute]`: rebuilds the FTS5 catalog index.
// After a table-by-table restore (`wrangler d1 export` cannot export FTS5 tables) the plain table
// material_search is back and one 'rebuild' restores the index. --recompute first recreates
// material_search from materials (after a restore of materials alone, or when normalisation changed).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { materialSearchRow, titleNorm, titleSortKey } from "../src/domain/search-text";
import { literal } from "./demo/sql";
import { wrangler } from "./local";

const envAt = process.argv.indexOf("--env");
const envArgs = envAt >= 0 ? ["--env", process.argv[envAt + 1] ?? ""] : [];
const target = [process.argv.includes("--remote") ? "--remote" : "--local", ...envArgs];

function query<T>(sql: string): T[] {
  const out = wrangler(["d1", "execute", "DB", ...target, "--json", "--command", sql], { quiet: true });
  return (JSON.parse(out) as Array<{ results: T[] }>)[0]?.results ?? [];
}

interface MaterialRow {
  id: number;
  title: string;
  titleKana: string | null;
  author: string | null;
  authorKana: string | null;
  publisher: string | null;
  subject: string | null;
  series: string | null;
  magazineTitle: string | null;
}

function recompute(): number {
  const dir = mkdtempSync(join(tmpdir(), "reindex-"));
  let last = 0;
  let done = 0;
  try {
    for (;;) {
      const rows = query<MaterialRow>(
        `SELECT id, title, title_kana AS titleKana, author, author_kana AS authorKana, publisher, subject, series,
                magazine_title AS magazineTitle
         FROM materials WHERE id > ${last} ORDER BY id LIMIT 2000`,
      );
      if (rows.length === 0) break;
      const sql = rows.flatMap((m) => {
        const s = materialSearchRow(m);
        return [
          `UPDATE materials SET title_sort = ${literal(titleSortKey(m.title, m.titleKana))}, title_norm = ${literal(titleNorm(m.title, m.titleKana))} WHERE id = ${m.id};`,
          // An upsert, never REPLACE: REPLACE deletes without firing the delete trigger, leaving stale index rows.
          `INSERT INTO material_search (material_id, title, author, publisher, subject) VALUES (${m.id}, ${[s.title, s.author, s.publisher, s.subject].map(literal).join(", ")})
           ON CONFLICT (material_id) DO UPDATE SET title = excluded.title, author = excluded.author, publisher = excluded.publisher, subject = excluded.subject;`,
        ];
      });
      const file = join(dir, "chunk.sql");
      writeFileSync(file, sql.join("\n"));
      wrangler(["d1", "execute", "DB", ...target, "--file", file], { quiet: true });
      last = rows[rows.length - 1]?.id ?? last;
      done += rows.length;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return done;
}

if (process.argv.includes("--recompute")) console.log(`Search text recomputed for ${recompute()} materials.`);
for (const sql of [
  "INSERT INTO material_fts(material_fts) VALUES('rebuild')",
  "INSERT INTO material_fts(material_fts) VALUES('optimize')",
  "INSERT INTO material_fts(material_fts) VALUES('integrity-check')",
]) {
  wrangler(["d1", "execute", "DB", ...target, "--command", sql], { quiet: true });
}
const [counts] = query<{ materials: number; searchRows: number }>(
  "SELECT (SELECT count(*) FROM materials) AS materials, (SELECT count(*) FROM material_search) AS searchRows",
);
console.log(`FTS index rebuilt and checked: ${counts?.materials} materials, ${counts?.searchRows} search rows.`);
