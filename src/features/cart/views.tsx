// 予約カート確認, the confirmation screen and the done screen.
import { RESERVATION_STATUS_LABELS, type ReservationStatus } from "../../domain/codes";
import { overLimitBy } from "../../domain/reservations";
import { jaDateTime } from "../../views/format";
import { Layout, Notices } from "../../views/layout";
import { CredentialFields } from "../account/views";
import { BranchLink } from "../branches/views";
import type { Branch } from "../catalog/reference";
import type { CartLine } from "./queries";

/** A cart as its pages show it: the lines and, for a patron, reservations still free and those already made. */
export interface CartState {
  lines: CartLine[];
  remaining?: number;
  /** Materials in the cart the patron already has an active reservation of. */
  reserved?: Map<number, ReservationStatus>;
}

/** What would stop an apply of these lines, said before the patron submits. */
function blockers(state: CartState, limit: number): { reserved: CartLine[]; overBy: number } {
  const reserved = state.lines.filter((l) => state.reserved?.has(l.materialId));
  const active = state.remaining === undefined ? 0 : limit - state.remaining;
  return { reserved, overBy: overLimitBy(limit, active, state.lines.length) };
}

function Blockers({ state, limit }: { state: CartState; limit: number }) {
  const { reserved, overBy } = blockers(state, limit);
  if (reserved.length === 0 && overBy === 0) return null;
  return (
    <div class="notice error" role="alert">
      <p>このままでは申請できません。</p>
      <ul>
        {reserved.length > 0 ? (
          <li>
            すでに予約している資料があります：{reserved.map((l) => `「${l.title}」`).join("")}。カートから削除してください。
          </li>
        ) : null}
        {overBy > 0 ? (
          <li>
            予約できるのは窓口での予約も含めておひとり{limit}件まで
            {state.remaining !== undefined ? `（あと${state.remaining}件）` : ""}です。{overBy}件削除してください。
          </li>
        ) : null}
      </ul>
    </div>
  );
}

/** The pickup branch of a line, changeable in the cart (the same form as the detail page's add). */
function PickupChange({ line, pickupBranches }: { line: CartLine; pickupBranches: Branch[] }) {
  const id = `pickup-${line.materialId}`;
  return (
    <form action="/cart/items" method="post" class="pickup-change">
      <input type="hidden" name="materialId" value={String(line.materialId)} />
      <label for={id} class="visually-hidden">
        {line.title}の受取館
      </label>
      <select id={id} name="pickupBranch">
        {pickupBranches.map((b) => (
          <option value={b.code} selected={b.code === line.pickupBranch}>
            {b.name}
          </option>
        ))}
      </select>
      <button type="submit" class="secondary">
        変更
      </button>
    </form>
  );
}

function Lines({ state, pickupBranches }: { state: CartState; pickupBranches?: Branch[] }) {
  return (
    <table class="stack">
      <thead>
        <tr>
          <th scope="col">資料名</th>
          <th scope="col">受取館</th>
          {pickupBranches ? <th scope="col">削除</th> : null}
        </tr>
      </thead>
      <tbody>
        {state.lines.map((l) => {
          const reserved = state.reserved?.get(l.materialId);
          return (
            <tr>
              <td data-label="資料名">
                <a href={`/materials/${l.materialId}`}>{l.title}</a>
                {l.author ? <span class="meta"> / {l.author}</span> : null}
                {reserved ? <strong class="ng">（すでに予約しています：{RESERVATION_STATUS_LABELS[reserved]}）</strong> : null}
              </td>
              <td data-label="受取館">
                {pickupBranches ? (
                  <PickupChange line={l} pickupBranches={pickupBranches} />
                ) : (
                  <BranchLink code={l.pickupBranch} name={l.pickupBranchName} />
                )}
              </td>
              {pickupBranches ? (
                <td data-label="削除">
                  <form action={`/cart/items/${l.materialId}/delete`} method="post" class="inline">
                    <button type="submit" class="secondary" aria-label={`${l.title}をカートから削除`}>
                      削除
                    </button>
                  </form>
                </td>
              ) : null}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function CartPage({
  state,
  pickupBranches,
  limit,
  signedInAs,
  errors,
  message,
  notice,
  cardNumber,
}: {
  state: CartState;
  pickupBranches: Branch[];
  limit: number;
  signedInAs?: string;
  errors: Record<string, string>;
  message?: string;
  /** What the last add did (added, pickup changed). */
  notice?: string;
  cardNumber?: string;
}) {
  const { lines, remaining } = state;
  return (
    <Layout title="予約カート確認">
      <h1>予約カート確認</h1>
      <Notices ok={notice} error={message} />
      {lines.length === 0 ? (
        <p>
          予約カートに資料はありません。<a href="/search">資料検索</a>
          で資料を探し、資料詳細情報の「予約カートに追加」で追加してください。
        </p>
      ) : (
        <>
          <p>予約カートの資料：{lines.length}件（予約の申請はまだ行われていません）</p>
          <Lines state={state} pickupBranches={pickupBranches} />
          <p class="meta">
            予約できるのは、窓口での予約も含めておひとり{limit}冊までです。
            {remaining !== undefined ? <strong>あと{remaining}件予約できます。</strong> : null}
          </p>
          <Blockers state={state} limit={limit} />
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

/** 申請のしかた for two or more: each as usual, 読みたい順 (one at a time, in this order), or まとめて受け取る. */
function ApplyMode({ lines }: { lines: CartLine[] }) {
  const first = lines[0]?.pickupBranchName ?? "";
  return (
    <fieldset>
      <legend>申請のしかた</legend>
      <p class="check">
        <input type="radio" id="modeEach" name="mode" value="" checked />
        <label for="modeEach">ふつうに申請する（そろった資料から順にお取り置きします）</label>
      </p>
      <p class="check">
        <input type="radio" id="modeInOrder" name="mode" value="in_order" />
        <label for="modeInOrder">
          読みたい順に1点ずつ（上から順に、前の資料を受け取ったら次を申請します。申請するまでは予約の件数に数えません）
        </label>
      </p>
      <p class="check">
        <input type="radio" id="modeTogether" name="mode" value="together" />
        <label for="modeTogether">まとめて受け取る（全部を申請し、そろってからまとめてお渡しします）</label>
      </p>
      <p class="meta">読みたい順・まとめて受け取るときの受取館は、1点目の「{first}」にそろえます。</p>
    </fieldset>
  );
}

/**
 * `applyKey`: one per confirmation shown, so a double tap or a resent form applies once (the first answer
 * again). `items`: the lines shown, when the cart holds more (a saved cart joined at login): only these apply.
 */
export function ConfirmPage({
  state,
  kept,
  limit,
  items,
  applyKey,
}: {
  state: CartState;
  kept: number;
  limit: number;
  items?: number[];
  applyKey: string;
}) {
  const { reserved, overBy } = blockers(state, limit);
  const blocked = reserved.length > 0 || overBy > 0;
  const seriesOnly = reserved.length === 0 && overBy > 0 && state.lines.length > 1;
  return (
    <Layout title="予約申請の確認">
      <h1>予約申請の確認</h1>
      <p>次の資料の予約を申請します。内容を確認し、よろしければ「予約申請」を押してください。</p>
      <Lines state={state} />
      {kept > 0 ? (
        <p class="notice" role="status">
          以前から予約カートに入っていた資料{kept}件は申請せず、予約カートに残します。
        </p>
      ) : null}
      {blocked ? <Blockers state={state} limit={limit} /> : null}
      {blocked && seriesOnly ? (
        // Over the limit, 読みたい順 is still possible: it applies one at a time, when there is room.
        <form action="/cart/apply" method="post" hx-boost="true" hx-disable="find button">
          <input type="hidden" name="applyKey" value={applyKey} />
          {items ? <input type="hidden" name="items" value={items.join(",")} /> : null}
          <input type="hidden" name="mode" value="in_order" />
          <p>
            「読みたい順に1点ずつ」なら申請できます。上から順に、予約できる件数に空きができたときに1点ずつ申請します（受取館は1点目の「
            {state.lines[0]?.pickupBranchName}」）。
          </p>
          <p>
            <button type="submit">読みたい順で申請する</button>
          </p>
        </form>
      ) : null}
      {blocked ? null : (
        <>
          <p class="meta">
            申請後の予約可能数：あと{(state.remaining ?? limit) - state.lines.length}件
            {state.lines.length > 1 ? `（読みたい順なら、あと${(state.remaining ?? limit) - 1}件）` : ""}
          </p>
          {/* With JavaScript the button is disabled while the apply is sent (a second tap cannot send it again). */}
          <form action="/cart/apply" method="post" hx-boost="true" hx-disable="find button">
            <input type="hidden" name="applyKey" value={applyKey} />
            {items ? <input type="hidden" name="items" value={items.join(",")} /> : null}
            {state.lines.length > 1 ? <ApplyMode lines={state.lines} /> : null}
            <p>
              <button type="submit">予約申請</button>
            </p>
          </form>
        </>
      )}
      <p>
        <a href="/cart">予約カートに戻る</a>
      </p>
    </Layout>
  );
}

export function DonePage({
  lines,
  appliedAt,
  kept,
  series = false,
}: {
  lines: Array<{ title: string; pickupBranchName: string }>;
  appliedAt: number;
  /** Lines still in the cart (not part of this application). */
  kept: number;
  /** Applied as a シリーズ予約 (読みたい順 / まとめて受け取る). */
  series?: boolean;
}) {
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
      {series ? (
        <p class="notice" role="status">
          シリーズ予約として登録しました。順番やこのあとの申請は<a href="/account/reservations">予約状況</a>でご確認いただけます。
        </p>
      ) : null}
      {kept > 0 ? (
        <p class="notice" role="status">
          予約カートには、申請していない資料が{kept}件残っています。<a href="/cart">予約カートを見る</a>
        </p>
      ) : null}
      <p>
        <a href="/account/reservations">予約状況を見る</a>
      </p>
    </Layout>
  );
}
