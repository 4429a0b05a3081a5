// 予約カート確認, the confirmation screen and the done screen.
import { jaDateTime } from "../../views/format";
import { Layout } from "../../views/layout";
import { CredentialFields } from "../account/views";
import { BranchLink } from "../branches/views";
import type { CartLine } from "./queries";

function Lines({ lines, removable }: { lines: CartLine[]; removable: boolean }) {
  return (
    <table class="stack">
      <thead>
        <tr>
          <th scope="col">資料名</th>
          <th scope="col">受取館</th>
          {removable ? <th scope="col">削除</th> : null}
        </tr>
      </thead>
      <tbody>
        {lines.map((l) => (
          <tr>
            <td data-label="資料名">
              <a href={`/materials/${l.materialId}`}>{l.title}</a>
              {l.author ? <span class="meta"> / {l.author}</span> : null}
            </td>
            <td data-label="受取館">
              <BranchLink code={l.pickupBranch} name={l.pickupBranchName} />
            </td>
            {removable ? (
              <td data-label="削除">
                <form action={`/cart/items/${l.materialId}/delete`} method="post" class="inline">
                  <button type="submit" class="secondary" aria-label={`${l.title}をカートから削除`}>
                    削除
                  </button>
                </form>
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function CartPage({
  lines,
  limit,
  remaining,
  signedInAs,
  errors,
  message,
  cardNumber,
}: {
  lines: CartLine[];
  limit: number;
  /** Reservations still free for the signed-in patron. */
  remaining?: number;
  signedInAs?: string;
  errors: Record<string, string>;
  message?: string;
  cardNumber?: string;
}) {
  return (
    <Layout title="予約カート確認">
      <h1>予約カート確認</h1>
      {message ? (
        <p class="notice error" role="alert">
          {message}
        </p>
      ) : null}
      {lines.length === 0 ? (
        <p>
          予約カートに資料はありません。<a href="/search">資料検索</a>
          で資料を探し、資料詳細情報の「予約カートに追加」で追加してください。
        </p>
      ) : (
        <>
          <p>予約カートの資料：{lines.length}件（予約の申請はまだ行われていません）</p>
          <Lines lines={lines} removable />
          <p class="meta">
            予約できるのは、窓口での予約も含めておひとり{limit}冊までです。
            {remaining !== undefined ? <strong>あと{remaining}件予約できます。</strong> : null}
          </p>
          <h2>予約申請</h2>
          <form action="/cart/confirm" method="post">
            {signedInAs ? (
              <p>{signedInAs} さんとして申請します。</p>
            ) : (
              <>
                <p>利用者番号とパスワードを入力して「予約申請」を押してください。確認画面が表示されます。</p>
                <CredentialFields errors={errors} cardNumber={cardNumber} />
              </>
            )}
            <p>
              <button type="submit">予約申請</button>
            </p>
          </form>
        </>
      )}
    </Layout>
  );
}

/** `applyKey`: one per confirmation shown, so a double tap or a resent form applies once (the first answer again). */
export function ConfirmPage({ lines, remaining, applyKey }: { lines: CartLine[]; remaining: number; applyKey: string }) {
  return (
    <Layout title="予約申請の確認">
      <h1>予約申請の確認</h1>
      <p>次の資料の予約を申請します。内容を確認し、よろしければ「予約申請」を押してください。</p>
      <Lines lines={lines} removable={false} />
      <p class="meta">申請後の予約可能数：あと{Math.max(0, remaining - lines.length)}件</p>
      {/* With JavaScript the button is disabled while the apply is sent (a second tap cannot send it again). */}
      <form action="/cart/apply" method="post" hx-boost="true" hx-disable="find button">
        <input type="hidden" name="applyKey" value={applyKey} />
        <p>
          <button type="submit">予約申請</button>
        </p>
      </form>
      <p>
        <a href="/cart">予約カートに戻る</a>
      </p>
    </Layout>
  );
}

export function DonePage({ lines, appliedAt }: { lines: Array<{ title: string; pickupBranchName: string }>; appliedAt: number }) {
  return (
    <Layout title="予約申請完了">
      <h1>予約申請が完了しました</h1>
      <p>{jaDateTime(appliedAt)} に次の資料の予約を申請しました。</p>
      <ul>
        {lines.map((l) => (
          <li>
            {l.title}（受取館：{l.pickupBranchName}）
          </li>
        ))}
      </ul>
      <p>
        申請した予約は「予約申請中」となり、翌開館日の朝に図書館で受付処理を行って予約が確定します。予約の順番は受付処理の日時で決まります。
      </p>
      <p>
        <a href="/account/reservations">予約状況を見る</a>
      </p>
    </Layout>
  );
}
