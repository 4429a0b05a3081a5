// 読書記録 as the patron sees it: turned off (the default) with how to start, or the list with deleting one
// entry, all of them, or stopping (which deletes everything; both ask for a tick first).
import { jaDateShort } from "../../views/format";
import { Layout, Notices } from "../../views/layout";
import type { ReadingRecord } from "./reading-record";

function Confirm({ id, words }: { id: string; words: string }) {
  return (
    <label class="tick" for={id}>
      <input type="checkbox" name="confirm" value="1" id={id} required />
      <span>{words}</span>
    </label>
  );
}

export function ReadingRecordPage({ record, done, error }: { record: ReadingRecord; done?: string; error?: string }) {
  const { enabled, entries } = record;
  return (
    <Layout title="読書記録">
      <h1>読書記録</h1>
      <Notices ok={done} error={error} />
      <p>
        図書館は、利用者が何を読んだかを記録に残しません。読書記録は、ご希望の方だけに、ご自身のための一覧として返却した資料を残すものです。
        図書館の職員の画面や業務用のしくみからは見ることができません（
        <a href="/help/reservations#reading-record">読書記録について</a>）。
      </p>
      {!enabled ? (
        <>
          <p>現在、読書記録は「記録しない」になっています。</p>
          <form action="/account/reading-record" method="post">
            <input type="hidden" name="enabled" value="1" />
            <button type="submit">記録を始める</button>
          </form>
          <p class="meta">始めた後に返却した資料から記録されます。それより前の貸出は残っていません。</p>
        </>
      ) : (
        <>
          <p>現在、返却した資料を記録しています（{entries.length}件）。</p>
          {entries.length === 0 ? (
            <p>まだ記録はありません。</p>
          ) : (
            <table class="stack">
              <thead>
                <tr>
                  <th scope="col">資料名</th>
                  <th scope="col">貸出日</th>
                  <th scope="col">返却日</th>
                  <th scope="col">削除</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => (
                  <tr>
                    <td data-label="資料名">
                      {e.materialId ? <a href={`/materials/${e.materialId}`}>{e.title}</a> : e.title}
                      {e.author ? <span class="meta"> {e.author}</span> : null}
                    </td>
                    <td data-label="貸出日">{jaDateShort(e.loanedOn)}</td>
                    <td data-label="返却日">{jaDateShort(e.returnedOn)}</td>
                    <td data-label="削除">
                      <form action="/account/reading-record/delete" method="post">
                        <input type="hidden" name="id" value={String(e.id)} />
                        <button type="submit" class="secondary">
                          削除<span class="visually-hidden">：{e.title}</span>
                        </button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {entries.length > 0 ? (
            <section aria-labelledby="delete-all-heading">
              <h2 id="delete-all-heading">記録をすべて削除する</h2>
              <form action="/account/reading-record/delete" method="post">
                <input type="hidden" name="all" value="1" />
                <Confirm id="confirm-all" words="記録をすべて削除します（元に戻せません）" />
                <p>
                  <button type="submit" class="secondary">
                    すべて削除する
                  </button>
                </p>
              </form>
            </section>
          ) : null}
          <section aria-labelledby="off-heading">
            <h2 id="off-heading">記録をやめる</h2>
            <form action="/account/reading-record" method="post">
              <input type="hidden" name="enabled" value="0" />
              <Confirm id="confirm-off" words="記録をやめ、これまでの記録をすべて削除します" />
              <p>
                <button type="submit" class="secondary">
                  記録をやめる
                </button>
              </p>
            </form>
          </section>
        </>
      )}
    </Layout>
  );
}
