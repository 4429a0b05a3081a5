// 予約状況 (grouped: お取り置き first, then 予約中 by 順位, 予約申請中, and the finished folded), its confirmation
// of 取消実行, 予約の変更 (受取館・保留・不要になる日), and 貸出状況 with 貸出延長.
import { addDays, tokyoDate } from "../../domain/calendar";
import { RESERVATION_STATUS_LABELS } from "../../domain/codes";
import { isSuspended } from "../../domain/patron-changes";
import { estimatedWait } from "../../domain/queue";
import { isWebCancellable } from "../../domain/reservations";
import type { MailFailure } from "../../mail/failures";
import type { ReservationRow } from "../../reservations/read";
import type { SeriesRow } from "../../reservations/series";
import { jaDateShort, jaDateTime, waitWords } from "../../views/format";
import { a11y, FieldError } from "../../views/forms";
import { Layout, Notices } from "../../views/layout";
import { reasonText } from "../../views/reasons";
import { BranchLink, Phone } from "../branches/views";
import type { Branch } from "../catalog/reference";
import type { LoanRow } from "./queries";

/** What one ticked reservation's cancellation, or one renewal, came to. */
export interface ItemOutcome {
  title: string;
  ok: boolean;
  message: string;
}

/** The library's rules a page needs for its words and estimates. */
export interface Rules {
  limit: number;
  loanDays: number;
  holdDays: number;
  holdExtendDays: number;
}

/** "as of" for pages built from live rows, with the last nightly refresh (hold expiry) when there was one. */
function AsOf({ asOf, nightly }: { asOf: number; nightly?: number | null }) {
  return (
    <p class="meta">
      {jaDateTime(asOf)} 現在{nightly ? `（取置期限の更新：${jaDateTime(nightly)}）` : ""}
    </p>
  );
}

function Outcomes({ outcomes }: { outcomes?: ItemOutcome[] }) {
  if (!outcomes || outcomes.length === 0) return null;
  return (
    <div class="notice" role="status">
      <ul>
        {outcomes.map((o) => (
          <li class={o.ok ? "ok" : "error"}>
            {o.title}：{o.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The ticking of a cancellable reservation: a label large enough to tap, naming the title. */
function CancelTick({ r }: { r: ReservationRow }) {
  return (
    <label class="tick" for={`r${r.id}`}>
      <input type="checkbox" name="ids" value={String(r.id)} id={`r${r.id}`} />
      <span>
        取り消す<span class="visually-hidden">：{r.title}</span>
      </span>
    </label>
  );
}

/** 予約順位, the copies serving the queue and the 目安 of the wait (a range, never a promise). */
function QueueFacts({ r, rules }: { r: ReservationRow; rules: Rules }) {
  const wait = estimatedWait(r.queuePosition, r.copiesServing, rules.loanDays, rules.holdDays);
  return (
    <>
      {r.queuePosition ? <strong>予約順位 {r.queuePosition}位</strong> : null}
      <span class="meta">
        {" "}
        （貸出できる所蔵 {r.copiesServing}冊{wait ? `・目安 ${waitWords(wait)}` : ""}）
      </span>
    </>
  );
}

/** The patron's own settings on a waiting reservation. */
function Settings({ r, today }: { r: ReservationRow; today: string }) {
  const suspended = isSuspended(r.suspendedUntil, today);
  if (!suspended && !r.notNeededAfter) return null;
  return (
    <p class="meta">
      {suspended ? `保留中：${jaDateShort(r.suspendedUntil as string)}まで（順番はそのまま、資料は次の方へ回ります）` : ""}
      {suspended && r.notNeededAfter ? " ・ " : ""}
      {r.notNeededAfter ? `不要になる日：${jaDateShort(r.notNeededAfter)}（過ぎると夜間に取り消します）` : ""}
    </p>
  );
}

function HeldCard({ r, rules }: { r: ReservationRow; rules: Rules }) {
  return (
    <li class="held">
      <p>
        <strong class="badge ok">{RESERVATION_STATUS_LABELS[r.status]}</strong>{" "}
        <a href={`/materials/${r.materialId}`}>{r.title}</a>
      </p>
      <p>
        <strong>{r.holdUntil ? `${jaDateShort(r.holdUntil)}までに` : ""}</strong>
        <BranchLink code={r.pickupBranch} name={r.pickupBranchName} />
        でお受け取りください。
      </p>
      <p class="meta">
        お取り置き中の予約はホームページから取り消せません。取り消す場合は受取館へご連絡ください
        {r.pickupBranchPhone ? "：" : "。"}
        <Phone phone={r.pickupBranchPhone} />
      </p>
      {r.holdExtended ? (
        <p class="meta">取置期限は延長済みです。</p>
      ) : (
        <form action={`/account/reservations/${r.id}/extend-hold`} method="post">
          <button type="submit" class="secondary">
            取置期限を延長する（1回だけ・{rules.holdExtendDays}開館日）
          </button>
        </form>
      )}
    </li>
  );
}

function WaitingRow({ r, rules, today }: { r: ReservationRow; rules: Rules; today: string }) {
  return (
    <tr>
      <td data-label="資料名">
        <a href={`/materials/${r.materialId}`}>{r.title}</a>
        <Settings r={r} today={today} />
      </td>
      <td data-label="状態">
        <strong>{RESERVATION_STATUS_LABELS[r.status]}</strong>
        {r.status === "reserved" ? (
          <>
            <br />
            <QueueFacts r={r} rules={rules} />
          </>
        ) : null}
      </td>
      <td data-label="受取館">
        <BranchLink code={r.pickupBranch} name={r.pickupBranchName} />
      </td>
      <td data-label="操作">
        {isWebCancellable(r.status) ? <CancelTick r={r} /> : null}
        {r.status === "applied" || r.status === "reserved" ? (
          <a class="button secondary" href={`/account/reservations/${r.id}`}>
            変更<span class="visually-hidden">：{r.title}</span>
          </a>
        ) : null}
      </td>
    </tr>
  );
}

/** The order of 予約状況: waiting ones by 予約順位 (unknown last), then by when they were applied. */
const byQueue = (a: ReservationRow, b: ReservationRow) =>
  (a.queuePosition ?? Number.MAX_SAFE_INTEGER) - (b.queuePosition ?? Number.MAX_SAFE_INTEGER) || a.appliedAt - b.appliedAt;

export function ReservationsPage({
  rows,
  series = [],
  rules,
  asOf,
  nightly,
  outcomes,
  notice,
  error,
  mailFailure,
}: {
  rows: ReservationRow[];
  series?: SeriesRow[];
  rules: Rules;
  asOf: number;
  nightly?: number | null;
  /** The latest mail to the patron's address did not arrive. */
  mailFailure?: MailFailure | null;
  outcomes?: ItemOutcome[];
  notice?: string;
  error?: string;
}) {
  const today = tokyoDate(asOf);
  const held = rows.filter((r) => r.status === "on_hold");
  const reserved = rows.filter((r) => r.status === "reserved").sort(byQueue);
  const applied = rows.filter((r) => r.status === "applied");
  const cancelling = rows.filter((r) => r.status === "cancel_requested");
  const waiting = [...reserved, ...applied, ...cancelling];
  const finished = rows.filter((r) => !["on_hold", "reserved", "applied", "cancel_requested"].includes(r.status));
  return (
    <Layout title="予約状況">
      <h1>予約状況</h1>
      <AsOf asOf={asOf} nightly={nightly} />
      {mailFailure ? (
        <p class="notice error" role="alert">
          {jaDateTime(mailFailure.failedAt)}に図書館からお送りしたメールが、登録のメールアドレスに届きませんでした。
          <a href="/help/mail">メールが届かない場合は</a>をご覧のうえ、<a href="/account/profile">個人情報変更</a>
          でメールアドレスをご確認ください。
        </p>
      ) : null}
      <Outcomes outcomes={outcomes} />
      <Notices ok={notice} error={error} />
      {rows.length === 0 ? <p>予約はありません。</p> : null}
      {held.length > 0 ? (
        <section aria-labelledby="held-heading">
          <h2 id="held-heading">お取り置き中（{held.length}件）</h2>
          <ul class="held-list">
            {held.map((r) => (
              <HeldCard r={r} rules={rules} />
            ))}
          </ul>
        </section>
      ) : null}
      {waiting.length > 0 ? (
        <section aria-labelledby="waiting-heading">
          <h2 id="waiting-heading">予約中・予約申請中（{waiting.length}件）</h2>
          <form action="/account/reservations/cancel" method="post">
            <table class="stack">
              <thead>
                <tr>
                  <th scope="col">資料名</th>
                  <th scope="col">状態</th>
                  <th scope="col">受取館</th>
                  <th scope="col">操作</th>
                </tr>
              </thead>
              <tbody>
                {waiting.map((r) => (
                  <WaitingRow r={r} rules={rules} today={today} />
                ))}
              </tbody>
            </table>
            {waiting.some((r) => isWebCancellable(r.status)) ? (
              <p>
                <button type="submit">取消実行</button>
              </p>
            ) : null}
            <p class="meta">
              「予約申請中」はすぐに取り消されます。「予約中」は「取消申請中」となり、翌開館日の朝に正式に取り消されます。
            </p>
          </form>
          <details>
            <summary>予約順位と目安について</summary>
            <p>
              予約順位は、予約が受け付けられた順番です。前の方の取消、保留、取置期限切れなどで順位は上がります。
              保留中の予約は順番を保ったまま、資料は次の方へ回ります。
            </p>
            <p>
              目安は、貸出期間（{rules.loanDays}日）と取置期間（{rules.holdDays}開館日）、貸出できる所蔵の冊数から計算した
              おおよその期間です。返却の早い遅いで大きく変わるため、お約束するものではありません。
            </p>
          </details>
        </section>
      ) : null}
      <SeriesList series={series} />
      {finished.length > 0 ? (
        <details class="finished">
          <summary>終了した予約（{finished.length}件）</summary>
          <ul>
            {finished.map((r) => (
              <li>
                <a href={`/materials/${r.materialId}`}>{r.title}</a>：<strong>{RESERVATION_STATUS_LABELS[r.status]}</strong>
                {r.reasonCode ? <span class="meta">（{reasonText(r.reasonCode, rules.limit)}）</span> : null}
                <span class="meta"> 申請 {jaDateShort(tokyoDate(r.appliedAt))}</span>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      <p>
        <a href="/account">利用状況照会のメニューへ</a>
      </p>
    </Layout>
  );
}

const SKIPPED_WORDS: Record<string, string> = {
  not_reservable: "予約できない資料になったため、飛ばしました",
  already_reserved: "すでに予約していたため、飛ばしました",
};

/** シリーズ予約: each series with where each volume stands, and a way to stop what is not applied yet. */
function SeriesList({ series }: { series: SeriesRow[] }) {
  const live = series.filter((s) => s.items.some((i) => i.status === null && i.skippedReason === null) && s.stoppedAt === null);
  if (live.length === 0) return null;
  return (
    <section aria-labelledby="series-heading">
      <h2 id="series-heading">シリーズ予約（読みたい順・まとめて受け取る）</h2>
      {live.map((s) => (
        <div class="series">
          <p>
            <strong>{s.mode === "in_order" ? "読みたい順" : "まとめて受け取る"}</strong>・受取館 {s.pickupBranchName}
          </p>
          <ol>
            {s.items.map((i) => (
              <li>
                <a href={`/materials/${i.materialId}`}>{i.title}</a>：
                {i.status
                  ? RESERVATION_STATUS_LABELS[i.status]
                  : i.skippedReason
                    ? (SKIPPED_WORDS[i.skippedReason] ?? "飛ばしました")
                    : "順番待ち（前の資料を受け取ると申請します）"}
              </li>
            ))}
          </ol>
          <form action={`/account/series/${s.id}/stop`} method="post">
            <button type="submit" class="secondary">
              まだ申請していない分をやめる
            </button>
          </form>
        </div>
      ))}
    </section>
  );
}

/** 取消実行, asked once more: the ticked reservations, and a button that really cancels them. */
export function CancelConfirmPage({ rows }: { rows: ReservationRow[] }) {
  return (
    <Layout title="予約の取消の確認">
      <h1>予約の取消の確認</h1>
      <p>次の予約を取り消します。よろしければ「取り消す」を押してください。</p>
      <ul>
        {rows.map((r) => (
          <li>
            {r.title}（{RESERVATION_STATUS_LABELS[r.status]}）
          </li>
        ))}
      </ul>
      <form action="/account/reservations/cancel" method="post">
        {rows.map((r) => (
          <input type="hidden" name="ids" value={String(r.id)} />
        ))}
        <input type="hidden" name="confirmed" value="1" />
        <p>
          <button type="submit">取り消す</button>
        </p>
      </form>
      <p>
        <a href="/account/reservations">取り消さずに予約状況へ戻る</a>
      </p>
    </Layout>
  );
}

/** 予約の変更: the pickup branch, 予約の保留 and 不要になる日 of one waiting reservation. */
export function ReservationChangePage({
  r,
  pickupBranches,
  today,
  errors,
  message,
}: {
  r: ReservationRow;
  pickupBranches: Branch[];
  today: string;
  errors: Record<string, string>;
  message?: string;
}) {
  const err = (name: string) => <FieldError errors={errors} name={name} />;
  const described = (name: string) => a11y(errors, name);
  return (
    <Layout title="予約の変更">
      <h1>予約の変更</h1>
      <p>
        <strong>{r.title}</strong>（{RESERVATION_STATUS_LABELS[r.status]}）
      </p>
      {message ? (
        <p class="notice error" role="alert">
          {message}
        </p>
      ) : null}
      <form action={`/account/reservations/${r.id}`} method="post">
        <label for="pickupBranch">受取館</label>
        <select id="pickupBranch" name="pickupBranch" {...described("pickupBranch")}>
          {/* A branch no longer taking pickups stays shown as the current one, so it is not changed unasked. */}
          {pickupBranches.some((b) => b.code === r.pickupBranch) ? null : (
            <option value={r.pickupBranch} selected>
              {r.pickupBranchName}（現在の受取館）
            </option>
          )}
          {pickupBranches.map((b) => (
            <option value={b.code} selected={b.code === r.pickupBranch}>
              {b.name}
            </option>
          ))}
        </select>
        {err("pickupBranch")}
        <label for="suspendedUntil">保留する（この日まで資料を回さない・順番はそのまま）</label>
        <input
          type="date"
          id="suspendedUntil"
          name="suspendedUntil"
          min={today}
          value={isSuspended(r.suspendedUntil, today) ? (r.suspendedUntil ?? "") : ""}
          {...described("suspendedUntil")}
        />
        {err("suspendedUntil")}
        <label for="notNeededAfter">不要になる日（この日を過ぎたら夜間に取り消す）</label>
        <input
          type="date"
          id="notNeededAfter"
          name="notNeededAfter"
          min={today}
          value={r.notNeededAfter ?? ""}
          {...described("notNeededAfter")}
        />
        {err("notNeededAfter")}
        <p class="meta">日付を空欄にすると、保留や不要になる日の設定を取りやめます。お取り置きになったあとは変更できません。</p>
        <p>
          <button type="submit">変更する</button>
        </p>
      </form>
      <p>
        <a href="/account/reservations">予約状況へ戻る</a>
      </p>
    </Layout>
  );
}

export function LoansPage({
  rows,
  asOf,
  today,
  loanDays,
  outcomes,
}: {
  rows: LoanRow[];
  asOf: number;
  today: string;
  /** The loan period: a renewal runs that long from the day it is asked. */
  loanDays: number;
  outcomes?: ItemOutcome[];
}) {
  // A renewal moves the due date to today + the loan period: before that is later, it would gain nothing.
  const gains = (l: LoanRow) => addDays(today, loanDays) > l.dueDate;
  const renewable = rows.filter((l) => !l.renewed && !l.waiting && l.dueDate >= today && gains(l));
  return (
    <Layout title="貸出状況">
      <h1>貸出状況</h1>
      <p class="meta">{jaDateTime(asOf)} 現在（貸出・返却は窓口で処理したときから反映されます）。</p>
      <Outcomes outcomes={outcomes} />
      {rows.length === 0 ? (
        <p>借りている資料はありません。</p>
      ) : (
        <>
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">資料名</th>
                <th scope="col">貸出日</th>
                <th scope="col">返却期限</th>
                <th scope="col">延長</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((l) => (
                <tr>
                  <td data-label="資料名">
                    <a href={`/materials/${l.materialId}`}>{l.title}</a>
                  </td>
                  <td data-label="貸出日">{jaDateShort(tokyoDate(l.loanedAt))}</td>
                  <td data-label="返却期限">
                    {jaDateShort(l.dueDate)}
                    {l.dueDate < today ? <strong class="ng">（返却期限を過ぎています）</strong> : null}
                  </td>
                  <td data-label="延長">
                    {l.renewed ? (
                      "延長済み"
                    ) : l.dueDate < today ? (
                      "延長できません（期限切れ）"
                    ) : l.waiting ? (
                      "延長できません（予約あり）"
                    ) : !gains(l) ? (
                      `${jaDateShort(addDays(l.dueDate, -loanDays + 1))}から延長できます`
                    ) : (
                      <form action="/account/loans/renew" method="post">
                        <input type="hidden" name="itemIds" value={String(l.itemId)} />
                        <button type="submit" class="secondary">
                          延長する<span class="visually-hidden">：{l.title}</span>
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {renewable.length > 1 ? (
            <form action="/account/loans/renew" method="post">
              {renewable.map((l) => (
                <input type="hidden" name="itemIds" value={String(l.itemId)} />
              ))}
              <p>
                <button type="submit">延長できる資料をすべて延長する（{renewable.length}件）</button>
              </p>
            </form>
          ) : null}
          <p class="meta">
            延長は1冊につき1回、延長した日から貸出期間ぶんです。ほかの方の予約がある資料、返却期限を過ぎた資料は延長できません。
          </p>
        </>
      )}
      <p>
        <a href="/account">利用状況照会のメニューへ</a>
      </p>
    </Layout>
  );
}
