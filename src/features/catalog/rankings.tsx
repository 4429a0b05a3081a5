// ランキング as a page (/rankings) and JSON (GET /api/v1/rankings?kind=reserved|borrowed&branch=): what the
// nightly refresh counted (jobs/rankings.ts), with titles; no patron data is in them.
import { zValidator } from "@hono/zod-validator";
import type { Context } from "hono";
import { Hono } from "hono/tiny";
import * as z from "zod/mini";
import type { AppEnv } from "../../env";
import { RANKING_DAYS } from "../../jobs/rankings";
import { parseOr400, throwInvalid } from "../../validation";
import { jaDateShort } from "../../views/format";
import { Layout } from "../../views/layout";
import { type Branch, branchesFor, namedBranch } from "./reference";
import { BranchSelect } from "./views";

const rankingSchema = z.object({
  kind: z._default(z.enum(["reserved", "borrowed"], { error: "kind は reserved か borrowed で指定してください。" }), "reserved"),
  branch: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{0,20}$/, { error: "館の指定が正しくありません。" }))),
});

interface RankRow {
  rank: number;
  materialId: number;
  title: string;
  author: string | null;
  count: number;
  computedOn: string;
}

async function rankingOf(c: Context<AppEnv>, kind: "reserved" | "borrowed", branch: string | undefined) {
  await namedBranch(c, branch);
  const rows = await c.var.d1
    .prepare(
      `SELECT r.rank, r.material_id AS materialId, m.title, m.author, r.count, r.computed_on AS computedOn
       FROM rankings r JOIN materials m ON m.id = r.material_id WHERE r.kind = ? AND r.branch = ? ORDER BY r.rank`,
    )
    .bind(kind, branch ?? "")
    .all<RankRow>();
  return rows.results;
}

const KIND_LABELS = { reserved: "予約の多い資料", borrowed: "よく借りられている資料" } as const;

function RankingsPage({
  kind,
  branch,
  branches,
  rows,
}: {
  kind: "reserved" | "borrowed";
  branch?: string;
  branches: Branch[];
  rows: RankRow[];
}) {
  const tab = (k: "reserved" | "borrowed") => `/rankings?kind=${k}${branch ? `&branch=${encodeURIComponent(branch)}` : ""}`;
  return (
    <Layout title="ランキング">
      <h1>ランキング：{KIND_LABELS[kind]}</h1>
      <nav class="pager" aria-label="ランキングの種類">
        {(["reserved", "borrowed"] as const).map((k) =>
          k === kind ? <span aria-current="page">{KIND_LABELS[k]}</span> : <a href={tab(k)}>{KIND_LABELS[k]}</a>,
        )}
      </nav>
      <form action="/rankings" method="get" class="filters">
        <input type="hidden" name="kind" value={kind} />
        <BranchSelect id="rank-branch" label="館" all="図書館全体" branches={branches} selected={branch} />
        <button type="submit" class="secondary">
          表示
        </button>
      </form>
      {rows.length === 0 ? (
        <p>まだ集計がありません（毎晩集計します）。</p>
      ) : (
        <>
          <p class="meta">
            この{RANKING_DAYS}日間の件数です（{jaDateShort(rows[0]?.computedOn as string)}集計）。個人の利用記録は使っていません。
          </p>
          <ol class="results">
            {rows.map((r) => (
              <li>
                <a class="t" href={`/materials/${r.materialId}`}>
                  {r.title}
                </a>
                <p class="meta">
                  {r.author ? `${r.author} ・ ` : ""}
                  {r.count}件
                </p>
              </li>
            ))}
          </ol>
        </>
      )}
    </Layout>
  );
}

export const rankingPages = new Hono<AppEnv>().get("/rankings", async (c) => {
  const { kind, branch: code } = parseOr400(rankingSchema, c.req.query());
  const branch = code || undefined;
  const [rows, branches] = await Promise.all([rankingOf(c, kind, branch), branchesFor(c)]);
  return c.html(<RankingsPage kind={kind} branch={branch} branches={branches} rows={rows} />);
});

export const rankingApi = new Hono<AppEnv>().get("/rankings", zValidator("query", rankingSchema, throwInvalid), async (c) => {
  const { kind, branch } = c.req.valid("query");
  const rows = await rankingOf(c, kind, branch || undefined);
  return c.json({
    kind,
    branch: branch || null,
    days: RANKING_DAYS,
    computedOn: rows[0]?.computedOn ?? null,
    items: rows.map(({ computedOn: _c, ...r }) => r),
  });
});
