// The staff imports pages: upload a file of the library system (kind, dry run, full export), the recent
// runs, the column mappings, and one run's report with its progress bar and rejected rows.
import { IMPORT_KIND_LABELS, IMPORT_KINDS } from "../../domain/codes";
import type { reportOf } from "../../imports/report";
import { jaDateTime } from "../../views/format";
import { type Outcome, StaffLayout } from "./views";

type Report = ReturnType<typeof reportOf>;

const running = (r: Report) => r.status === "queued" || r.status === "running";
const when = (iso: string | null) => (iso ? jaDateTime(Date.parse(iso)) : "—");
const seconds = (ms: number | null) => (ms === null ? "—" : `${(ms / 1000).toFixed(1)}秒`);

function Counts({ r }: { r: Report }) {
  const c = r.counts;
  return (
    <dl class="counts">
      <dt>追加</dt>
      <dd>{c.added}</dd>
      <dt>更新</dt>
      <dd>{c.updated}</dd>
      <dt>変更なし</dt>
      <dd>{c.unchanged}</dd>
      <dt>除籍</dt>
      <dd>{c.withdrawn}</dd>
      {r.kind === "loans" ? (
        <>
          <dt>返却扱い</dt>
          <dd>{c.returned}</dd>
        </>
      ) : null}
      <dt>取り込めなかった行</dt>
      <dd>{c.rejected}</dd>
      {r.kind === "marc" ? (
        <>
          <dt>所蔵（追加・更新・変更なし）</dt>
          <dd>
            {r.copies.added}・{r.copies.updated}・{r.copies.unchanged}
          </dd>
        </>
      ) : null}
    </dl>
  );
}

/** The run's state, counts and times. */
function RunProgress({ r }: { r: Report }) {
  return (
    <section id="run-progress" aria-live="polite">
      <p>
        状態：<strong>{r.statusLabel}</strong>
        {r.dryRun ? "（試行：データは変わりません）" : ""}
      </p>
      <label for="run-bar">読み込み済み {r.progress.percent}%</label>
      <progress id="run-bar" max={100} value={r.progress.percent}>
        {r.progress.percent}%
      </progress>
      <p>
        {r.progress.lines.toLocaleString("ja-JP")} {r.kind === "marc" ? "レコード" : "行"}読み込み（
        {r.progress.bytesRead.toLocaleString("ja-JP")} / {r.progress.size.toLocaleString("ja-JP")} バイト）
      </p>
      {r.error ? (
        <p class="notice error" role="alert">
          {r.error}
        </p>
      ) : null}
      <Counts r={r} />
      <p>
        開始 {when(r.startedAt)}・終了 {when(r.finishedAt)}・所要 {seconds(r.durationMs)}
      </p>
    </section>
  );
}

type Rejected = { line: number; key: string | null; reason: string };

/**
 * The part of a run's page that follows the run (progress, the resume button, the rejected rows):
 * refreshed by htmx every 2 seconds while it runs, so the rejected rows appear when it ends.
 */
export function RunReport({ r, rejected }: { r: Report; rejected: Rejected[] }) {
  const attrs = running(r) ? { "hx-get": `/admin/imports/${r.id}`, "hx-trigger": "every 2s", "hx-swap": "outerHTML" } : {};
  return (
    <div id="run-report" {...attrs}>
      <RunProgress r={r} />
      {running(r) ? (
        <form action={`/admin/imports/${r.id}/resume`} method="post">
          <button type="submit" class="secondary">
            止まっているときは再開する
          </button>
        </form>
      ) : null}
      <h2>取り込めなかった行</h2>
      {rejected.length === 0 ? (
        <p>ありません。</p>
      ) : (
        <>
          <p>
            <a href={`/admin/imports/${r.id}/rejected.csv`} download>
              一覧をCSVでダウンロード
            </a>
            （{r.counts.rejected}件。14日後に削除されます）
          </p>
          <table class="stack">
            <caption>行番号順（最大1,000件）</caption>
            <thead>
              <tr>
                <th scope="col">{r.kind === "marc" ? "レコード" : "行"}</th>
                <th scope="col">キー</th>
                <th scope="col">理由</th>
              </tr>
            </thead>
            <tbody>
              {rejected.map((x) => (
                <tr>
                  <td data-label={r.kind === "marc" ? "レコード" : "行"}>{x.line || "—"}</td>
                  <td data-label="キー">{x.key ?? ""}</td>
                  <td data-label="理由">{x.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

export function ImportRunPage({ r, rejected }: { r: Report; rejected: Rejected[] }) {
  return (
    <StaffLayout
      title={`データ取込 #${r.id}：${r.kindLabel}`}
      head={running(r) ? <noscript>{<meta http-equiv="refresh" content="3" />}</noscript> : undefined}
    >
      <p>
        ファイル：{r.fileName}（{r.origin === "r2" ? "夜間の受け渡し" : r.origin === "api" ? "API" : "画面からアップロード"}
        {r.full ? "・全件ファイル" : ""}
        {r.encoding ? `・${r.encoding === "shift_jis" ? "Shift_JIS" : "UTF-8"}` : ""}）
      </p>
      <RunReport r={r} rejected={rejected} />
      <p>
        <a href="/admin/imports">データ取込へ戻る</a>
      </p>
    </StaffLayout>
  );
}

export function ImportsPage({
  runs,
  mappings,
  message,
}: {
  runs: Report[];
  mappings: Array<{ kind: (typeof IMPORT_KINDS)[number]; mapping: unknown }>;
  message?: Outcome | undefined;
}) {
  return (
    <StaffLayout title="データ取込" message={message}>
      <p>
        図書館システムの書誌・所蔵・利用者・貸出・窓口予約を取り込みます。同じファイルをもう一度取り込んでも変わりません。手順は「移行と夜間連携」の手引き（docs/imports.md）にあります。
      </p>
      <form action="/admin/imports" method="post" enctype="multipart/form-data" class="upload">
        <h2>ファイルを取り込む</h2>
        <label for="kind">種類</label>
        <select id="kind" name="kind">
          {IMPORT_KINDS.map((k) => (
            <option value={k}>{IMPORT_KIND_LABELS[k]}</option>
          ))}
        </select>
        <label for="file">ファイル（MARC: ISO 2709 または MARCXML／CSV・TSV: UTF-8 または Shift_JIS、32MBまで）</label>
        <input type="file" id="file" name="file" required />
        <p class="check">
          <input type="checkbox" id="dryRun" name="dryRun" value="1" />
          <label for="dryRun">試行（何が変わるかだけを見る）</label>
        </p>
        <p class="check">
          <input type="checkbox" id="full" name="full" value="1" />
          <label for="full">全件ファイル（載っていない所蔵は除籍、載っていない貸出は返却扱い）</label>
        </p>
        <button type="submit">取り込む</button>
      </form>
      <form action="/admin/imports/pickup" method="post">
        <button type="submit" class="secondary">
          夜間受け渡し（incoming/）のファイルを今すぐ取り込む
        </button>
      </form>
      <h2>最近の取込</h2>
      {runs.length === 0 ? (
        <p>まだありません。</p>
      ) : (
        <table class="stack">
          <thead>
            <tr>
              <th scope="col">番号</th>
              <th scope="col">種類</th>
              <th scope="col">ファイル</th>
              <th scope="col">状態</th>
              <th scope="col">追加・更新・除籍・不可</th>
              <th scope="col">受付</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr>
                <td data-label="番号">
                  <a href={`/admin/imports/${r.id}`}>#{r.id}</a>
                </td>
                <td data-label="種類">{r.kindLabel}</td>
                <td data-label="ファイル">{r.fileName}</td>
                <td data-label="状態">
                  {r.statusLabel}
                  {r.dryRun ? "（試行）" : ""}
                  {running(r) ? ` ${r.progress.percent}%` : ""}
                </td>
                <td data-label="追加・更新・除籍・不可">
                  {r.counts.added}・{r.counts.updated}・{r.counts.withdrawn}・{r.counts.rejected}
                </td>
                <td data-label="受付">{when(r.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>列の対応表</h2>
      <p>
        図書館システムの列名が標準の名前（書誌番号、書名、バーコード、所蔵館、利用者番号など）と違うときに、JSONで指定します。例：
        <code>{'{"columns":{"資料No":"barcode"},"statuses":{"ふめい":"missing"}}'}</code>
      </p>
      <form action="/admin/imports/mappings" method="post">
        <label for="mapping-kind">種類</label>
        <select id="mapping-kind" name="kind">
          {IMPORT_KINDS.map((k) => (
            <option value={k}>{IMPORT_KIND_LABELS[k]}</option>
          ))}
        </select>
        <label for="mapping">対応表（JSON）</label>
        <textarea id="mapping" name="mapping" rows={6} required />
        <button type="submit">保存する</button>
      </form>
      {mappings.length > 0 ? (
        <ul>
          {mappings.map((m) => (
            <li>
              {IMPORT_KIND_LABELS[m.kind]}：<code>{JSON.stringify(m.mapping)}</code>
            </li>
          ))}
        </ul>
      ) : null}
    </StaffLayout>
  );
}
