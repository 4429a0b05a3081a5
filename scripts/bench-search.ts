// `npm run bench:search -- --materials 200000`: loads generated materials into a fresh local D1 (Miniflare,
// the same SQLite that `wrangler dev` runs) and times a fixed query mix, server side (D1's meta.duration),
// through the app's own search SQL and through a naive LIKE '%…%' scan of the same catalog.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { toIsbn13 } from "../src/domain/isbn";
import { type SearchParams, searchMaterials } from "../src/features/catalog/search";
import { DEMO_BRANCHES, type DemoItem, type DemoMaterial, demoCatalog } from "./demo/catalog";
import { branchInserts, itemInserts, materialInserts } from "./demo/sql";
import { root } from "./local";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
  return value;
}

const MATERIALS = arg("materials", 200_000);
/** --keep DIR: keep the loaded store in DIR and reuse it on the next run (for tuning the SQL). */
const KEEP = process.argv.includes("--keep") ? process.argv[process.argv.indexOf("--keep") + 1] : undefined;
const RUNS = arg("runs", 5);

type Case = { label: string; kind: "1-char" | "2-char" | "3+-char" | "fielded"; params: Partial<SearchParams> };

const CASES: Case[] = [
  { label: "猫", kind: "1-char", params: { q: "猫" } },
  { label: "山", kind: "1-char", params: { q: "山" } },
  { label: "海", kind: "1-char", params: { q: "海" } },
  { label: "鳥", kind: "1-char", params: { q: "鳥" } },
  { label: "門", kind: "1-char", params: { q: "門" } },
  { label: "漱石", kind: "2-char", params: { q: "漱石" } },
  { label: "宮沢", kind: "2-char", params: { q: "宮沢" } },
  { label: "京都", kind: "2-char", params: { q: "京都" } },
  { label: "料理", kind: "2-char", params: { q: "料理" } },
  { label: "歴史", kind: "2-char", params: { q: "歴史" } },
  { label: "入門", kind: "2-char", params: { q: "入門" } },
  { label: "吾輩は猫", kind: "3+-char", params: { q: "吾輩は猫" } },
  { label: "銀河鉄道", kind: "3+-char", params: { q: "銀河鉄道" } },
  { label: "ぷろぐらみんぐ", kind: "3+-char", params: { q: "ぷろぐらみんぐ" } },
  { label: "鹿児島の歴史", kind: "3+-char", params: { q: "鹿児島の歴史" } },
  { label: "統計学 入門", kind: "3+-char", params: { q: "統計学 入門" } },
  { label: "ハンドブック", kind: "3+-char", params: { q: "ハンドブック" } },
  { label: "author=夏目", kind: "fielded", params: { author: "夏目" } },
  { label: "title=猫 type=book", kind: "fielded", params: { title: "猫", type: "book" } },
  { label: "publisher=岩波書店 yearFrom=2000", kind: "fielded", params: { publisher: "岩波書店", yearFrom: 2000 } },
  { label: "q=料理 branch=kita available", kind: "fielded", params: { q: "料理", branch: "kita", available: true } },
  { label: "q=歴史 sort=newest", kind: "fielded", params: { q: "歴史", sort: "newest" } },
  { label: "ndc=913 sort=title", kind: "fielded", params: { ndc: "913", sort: "title" } },
];

/** The naive scan a peer OPAC runs: every term LIKE '%term%' over the text columns, newest first. */
function likeScan(db: D1Database, p: Partial<SearchParams>): D1PreparedStatement[] {
  const where: string[] = [];
  const binds: unknown[] = [];
  const cols = {
    q: ["title", "title_kana", "author", "author_kana", "publisher", "subject"],
    title: ["title", "title_kana"],
    author: ["author", "author_kana"],
    publisher: ["publisher"],
  } as const;
  for (const field of ["q", "title", "author", "publisher"] as const) {
    for (const term of (p[field] ?? "").split(/\s+/).filter(Boolean)) {
      where.push(`(${cols[field].map((c) => `${c} LIKE ?`).join(" OR ")})`);
      for (const _ of cols[field]) binds.push(`%${term}%`);
    }
  }
  if (p.type) where.push(`type = '${p.type}'`);
  if (p.yearFrom) where.push(`year >= ${p.yearFrom}`);
  if (p.ndc) where.push(`ndc LIKE '${p.ndc}%'`);
  if (p.branch)
    where.push(
      `id IN (SELECT material_id FROM items WHERE branch_code = '${p.branch}'${p.available ? " AND status = 'available'" : ""})`,
    );
  const w = where.length ? `WHERE ${where.join(" AND ")}` : "";
  return [
    db.prepare(`SELECT id, title, author, publisher, year FROM materials ${w} ORDER BY year DESC LIMIT 20`).bind(...binds),
    db.prepare(`SELECT count(*) AS n FROM materials ${w}`).bind(...binds),
  ];
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: pct(s, 50), p95: pct(s, 95), max: s[s.length - 1] ?? 0 };
};
const ms = (x: number) => x.toFixed(2);

/** Runs the app's search and sums D1's server-side time and rows read over every statement it ran. */
async function timeSearch(db: D1Database, params: SearchParams): Promise<{ ms: number; rowsRead: number; total: number }> {
  let total = 0;
  let rowsRead = 0;
  const result = await searchMaterials(db, params, {
    sink: (meta) => {
      total += meta.duration ?? 0;
      rowsRead += meta.rows_read ?? 0;
    },
  });
  return { ms: total, rowsRead, total: result.total };
}

async function timeLike(
  db: D1Database,
  statements: D1PreparedStatement[],
): Promise<{ ms: number; rowsRead: number; total: number }> {
  const results = await db.batch(statements);
  const total = ((results[1]?.results?.[0] as { n?: number } | undefined)?.n ?? 0) as number;
  return {
    ms: results.reduce((sum, r) => sum + (r.meta.duration ?? 0), 0),
    rowsRead: results.reduce((sum, r) => sum + (r.meta.rows_read ?? 0), 0),
    total,
  };
}

async function main() {
  const persist = KEEP ?? mkdtempSync(join(tmpdir(), "bench-d1-"));
  const mf = new Miniflare({
    modules: true,
    script: "export default { fetch() { return new Response('bench') } }",
    d1Databases: { DB: "bench" },
    d1Persist: persist,
  });
  try {
    const db = (await mf.getD1Database("DB")) as unknown as D1Database;
    const t0 = performance.now();
    const loaded = KEEP
      ? await db
          .prepare("SELECT count(*) AS n FROM materials")
          .first<{ n: number }>()
          .catch(() => null)
      : null;
    const { materials, items } = demoCatalog(MATERIALS);
    if (!loaded || loaded.n !== materials.length) await load(db, materials, items);
    const loadSeconds = (performance.now() - t0) / 1000;
    console.log(
      `Loaded ${materials.length.toLocaleString()} materials and ${items.length.toLocaleString()} copies in ${loadSeconds.toFixed(1)} s.`,
    );
    await bench(db, materials);
  } finally {
    await mf.dispose();
    if (!KEEP) rmSync(persist, { recursive: true, force: true });
  }
}

async function load(db: D1Database, materials: DemoMaterial[], items: DemoItem[]) {
  for (const file of readdirSync(join(root, "migrations"))
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    for (const stmt of readFileSync(join(root, "migrations", file), "utf8").split("--> statement-breakpoint")) {
      if (stmt.trim()) await db.prepare(stmt).run();
    }
  }
  const statements = [...branchInserts(DEMO_BRANCHES), ...materialInserts(materials), ...itemInserts(items)];
  for (let i = 0; i < statements.length; i += 50) {
    await db.batch(statements.slice(i, i + 50).map((s) => db.prepare(s)));
  }
  await db.prepare("ANALYZE").run();
}

async function bench(db: D1Database, materials: DemoMaterial[]) {
  const isbn = materials.find((m) => m.isbn)?.isbn;
  const cases: Case[] = isbn ? [...CASES, { label: `isbn=${isbn}`, kind: "fielded", params: { isbn: toIsbn13(isbn) } }] : CASES;

  const app: number[] = [];
  const like: number[] = [];
  const byKind = new Map<string, { app: number[]; like: number[] }>();
  const rows: string[] = [];
  for (const c of cases) {
    const params: SearchParams = { sort: "relevance", page: 1, perPage: 20, ...c.params };
    const a: number[] = [];
    const l: number[] = [];
    let hits = 0;
    let read = 0;
    let likeRead = 0;
    for (let run = 0; run < RUNS + 1; run++) {
      const ra = await timeSearch(db, params);
      const rl = await timeLike(db, likeScan(db, params));
      if (run === 0) continue; // the first run warms the page cache for both
      a.push(ra.ms);
      l.push(rl.ms);
      hits = ra.total;
      read = ra.rowsRead;
      likeRead = rl.rowsRead;
    }
    app.push(...a);
    like.push(...l);
    const k = byKind.get(c.kind) ?? { app: [], like: [] };
    k.app.push(...a);
    k.like.push(...l);
    byKind.set(c.kind, k);
    const sa = stats(a);
    const sl = stats(l);
    rows.push(
      `| ${c.label} | ${c.kind} | ${hits.toLocaleString()} | ${ms(sa.p50)} | ${ms(sa.max)} | ${read.toLocaleString()} | ${ms(sl.p50)} | ${likeRead.toLocaleString()} |`,
    );
  }

  console.log(`\n| query | kind | hits | index p50 ms | index max ms | index rows read | LIKE p50 ms | LIKE rows read |`);
  console.log("|---|---|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) console.log(r);
  console.log(
    `\n| mix (${RUNS} runs each) | index p50 | index p95 | index max | LIKE p50 | LIKE p95 | LIKE max | speed-up at p50 / p95 |`,
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
  const line = (label: string, x: number[], y: number[]) => {
    const sx = stats(x);
    const sy = stats(y);
    console.log(
      `| ${label} | ${ms(sx.p50)} | ${ms(sx.p95)} | ${ms(sx.max)} | ${ms(sy.p50)} | ${ms(sy.p95)} | ${ms(sy.max)} | ${(sy.p50 / Math.max(sx.p50, 0.01)).toFixed(0)}× / ${(sy.p95 / Math.max(sx.p95, 0.01)).toFixed(0)}× |`,
    );
  };
  for (const [kind, v] of byKind) line(kind, v.app, v.like);
  line("**all**", app, like);
  const all = stats(app);
  console.log(
    `\nmaterials=${materials.length} p50=${ms(all.p50)}ms p95=${ms(all.p95)}ms max=${ms(all.max)}ms (server-side, D1 meta.duration, page + count)`,
  );
}

await main();
