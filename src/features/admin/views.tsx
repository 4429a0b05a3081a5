// Staff pages: the staff layout (menu and logout on every page), the login page, the morning dashboard,
// the counter page and the mail outbox. Components only; the routes are in pages.tsx.
import type { Child } from "hono/jsx";
import { ITEM_STATUS_LABELS, MATERIAL_TYPE_LABELS, MATERIAL_TYPES } from "../../domain/codes";
import type { RecentRun } from "../../jobs/queries";
import type { FailedPatron } from "../../mail/failures";
import type { HoldCandidate, PendingApplication } from "../../reservations/read";
import { jaDate, jaDateTime } from "../../views/format";
import { Layout } from "../../views/layout";
import type { OutboxRow } from "./queries";
import { SETTABLE_ITEM_STATUSES } from "./schemas";
import type { ServiceStatus } from "./status";

/** The outbox's delivery states as staff read them. */
export const MAIL_STATUS_LABELS = {
  queued: "送信待ち",
  sending: "送信中",
  sent: "送信済み",
  failed: "送信失敗（再送待ち）",
  dead: "送信不能（再送しません）",
  recorded: "記録のみ（送信先の設定なし）",
  bounced: "不達（受信側が拒否）",
} as const;

/** What an action did, shown at the top of the page it posted back to. */
export interface Outcome {
  ok: boolean;
  text: string;
}

/** Every staff page: the staff menu with 職員ログアウト, the title, and the outcome of the last action. */
export function StaffLayout({
  title,
  message,
  children,
  head,
}: {
  title: string;
  message?: Outcome | undefined;
  children: Child;
  head?: Child;
}) {
  return (
    <Layout title={`職員：${title}`} head={head}>
      <nav class="pager" aria-label="職員メニュー">
        <a href="/admin">受付・取置</a>
        <a href="/admin/counter">窓口業務</a>
        <a href="/admin/mail">メール送信状況</a>
        <a href="/admin/imports">データ取込</a>
        <a href="/admin/branches">館の情報</a>
        <a href="/admin/notices">お知らせ</a>
        <a href="/admin/status">システムの状態</a>
        <form action="/admin/logout" method="post" class="inline">
          <button type="submit" class="secondary">
            職員ログアウト
          </button>
        </form>
      </nav>
      <h1>{title}</h1>
      {message ? (
        <p class={`notice ${message.ok ? "ok" : "error"}`} role={message.ok ? "status" : "alert"}>
          {message.text}
        </p>
      ) : null}
      {children}
    </Layout>
  );
}

/** 受付処理 07:30 or 夜間更新, for the dashboard and the status page. */
const jobName = (job: string, time?: string) => (job === "acceptance" ? `受付処理${time ? ` ${time}` : ""}` : "夜間更新");

/** Rehearsal (受入テスト・職員研修): run a future morning's acceptance or night's refresh as its cron would. */
function RehearsalForms({ today, times }: { today: string; times: string[] }) {
  return (
    <details class="rehearsal">
      <summary>リハーサル（将来の日付で実行）</summary>
      <p>
        本番環境以外では、将来の業務日の受付処理・夜間更新を、その日の定時と同じように実行できます。その日の定時の処理は済んだ扱いになります。
      </p>
      <h3>受付処理</h3>
      <form action="/admin/acceptance" method="post">
        <label>
          業務日 <input type="date" name="date" min={today} required />
        </label>{" "}
        <label>
          時刻{" "}
          <select name="time">
            {times.map((t) => (
              <option value={t}>{t}</option>
            ))}
          </select>
        </label>{" "}
        <button type="submit">受付処理を実行</button>
      </form>
      <h3>夜間更新（取置期限切れなど）</h3>
      <form action="/admin/nightly" method="post">
        <label>
          業務日 <input type="date" name="date" min={today} required />
        </label>{" "}
        <button type="submit">夜間更新を実行</button>
      </form>
    </details>
  );
}

export function Dashboard({
  pending,
  runs,
  candidates,
  today,
  rehearsal,
  message,
}: {
  pending: { count: number; oldest: number | null; first: PendingApplication[] };
  runs: RecentRun[];
  candidates: HoldCandidate[];
  today: string;
  /** Outside production: the acceptance times, and the rehearsal clock when it is ahead of today. */
  rehearsal?: { times: string[]; asOf?: number | undefined } | undefined;
  message?: Outcome | undefined;
}) {
  return (
    <StaffLayout title="受付処理と取り置き" message={message}>
      {rehearsal?.asOf ? (
        <p class="notice" role="status">
          リハーサル中：取り置きと貸出の期限は {jaDateTime(rehearsal.asOf)} から数えます（本番環境では使えません）。
        </p>
      ) : null}
      <h2>予約申請中（受付待ち）</h2>
      <p>
        {pending.count}件{pending.oldest ? `（いちばん古い申請：${jaDateTime(pending.oldest)}）` : ""}
      </p>
      {pending.first.length > 0 ? (
        <table class="stack">
          <caption>申請の古い順（最大50件）</caption>
          <thead>
            <tr>
              <th scope="col">申請日時</th>
              <th scope="col">資料名</th>
              <th scope="col">利用者番号</th>
              <th scope="col">受取館</th>
            </tr>
          </thead>
          <tbody>
            {pending.first.map((w) => (
              <tr>
                <td data-label="申請日時">{jaDateTime(w.appliedAt)}</td>
                <td data-label="資料名">{w.title}</td>
                <td data-label="利用者番号">{w.cardNumber}</td>
                <td data-label="受取館">{w.pickup}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <form action="/admin/acceptance" method="post">
        <input type="hidden" name="date" value={today} />
        <button type="submit">{jaDate(today)} の受付処理を実行</button>
      </form>
      {rehearsal ? <RehearsalForms today={today} times={rehearsal.times} /> : null}
      <h2>最近の処理</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">処理</th>
            <th scope="col">業務日</th>
            <th scope="col">結果</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr>
              <td>{jobName(r.job, r.slot)}</td>
              <td>{jaDate(r.businessDate)}</td>
              <td>{r.finishedAt ? summaryText(r.summary) : r.error ? `中断（${r.error}）` : "処理中"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>取り置く資料（予約順）</h2>
      {candidates.length === 0 ? (
        <p>取り置く資料はありません。</p>
      ) : (
        <table class="stack">
          <thead>
            <tr>
              <th scope="col">資料名</th>
              <th scope="col">予約順位</th>
              <th scope="col">利用者番号</th>
              <th scope="col">受取館</th>
              <th scope="col">所蔵（バーコード）</th>
              <th scope="col">操作</th>
            </tr>
          </thead>
          <tbody>
            {candidates.map((h) => (
              <tr>
                <td data-label="資料名">{h.title}</td>
                <td data-label="予約順位">{h.position}</td>
                <td data-label="利用者番号">{h.cardNumber}</td>
                <td data-label="受取館">{h.pickupBranch}</td>
                <td data-label="所蔵">
                  {h.itemBranch} {h.barcode}
                </td>
                <td data-label="操作">
                  <form action="/admin/holds" method="post" class="inline">
                    <input type="hidden" name="reservationId" value={String(h.reservationId)} />
                    <input type="hidden" name="itemId" value={String(h.itemId)} />
                    <button type="submit" aria-label={`${h.title}を取り置く`}>
                      取り置く
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </StaffLayout>
  );
}

export function summaryText(summary: string | null): string {
  if (!summary) return "";
  const s = JSON.parse(summary) as Record<string, number>;
  if ("accepted" in s)
    return `予約中 ${s.accepted}件・予約拒否 ${s.rejected}件・取消 ${s.cancelled}件・取消不可 ${s.cancellationsRefused}件`;
  return `取置期限切れ ${s.holdsExpired ?? 0}件・不要日経過の取消 ${s.notNeededCancelled ?? 0}件・匿名化 ${s.reservationsAnonymised ?? 0}件・貸出記録の切り離し ${s.loansUnlinked ?? 0}件`;
}

export function LoginPage({ error }: { error?: string }) {
  return (
    <Layout title="職員ログイン">
      <h1>職員ログイン</h1>
      {error ? (
        <p class="notice error" role="alert">
          {error}
        </p>
      ) : null}
      <form action="/admin/login" method="post">
        <label for="staffName">職員名（操作の記録に残ります）</label>
        <input type="text" id="staffName" name="staffName" autocomplete="name" required />
        <label for="token">職員用トークン</label>
        <input type="password" id="token" name="token" autocomplete="off" required />
        <p>
          <button type="submit">ログイン</button>
        </p>
      </form>
    </Layout>
  );
}

function Field({
  name,
  label,
  type = "text",
  required = true,
  value,
  id = name,
}: {
  name: string;
  label: string;
  type?: string;
  required?: boolean;
  value?: string | null;
  id?: string;
}) {
  return (
    <>
      <label for={id}>{label}</label>
      <input type={type} id={id} name={name} required={required} autocomplete="off" value={value ?? ""} />
    </>
  );
}

function Section({ title, action, children, button }: { title: string; action: string; children: Child; button: string }) {
  return (
    <section>
      <h2>{title}</h2>
      <form action={action} method="post">
        {children}
        <p>
          <button type="submit">{button}</button>
        </p>
      </form>
    </section>
  );
}

interface Branch {
  code: string;
  name: string;
  pickup: boolean;
  address?: string | null;
  phone?: string | null;
  hours?: string | null;
}

/** お知らせ: the notices not yet over (each can be taken down), and a form for a new one. */
export function NoticesPage({
  notices,
  today,
  message,
}: {
  notices: Array<{ id: number; title: string; body: string; from: string; until: string }>;
  today: string;
  message?: Outcome | undefined;
}) {
  return (
    <StaffLayout title="お知らせ" message={message}>
      <p class="meta">トップページに、掲載期間のあいだ表示されます。</p>
      {notices.length === 0 ? (
        <p>掲載中・掲載予定のお知らせはありません。</p>
      ) : (
        <ul class="notices">
          {notices.map((n) => (
            <li>
              <strong>{n.title}</strong>（{jaDate(n.from)}〜{jaDate(n.until)}
              {n.from > today ? "・掲載前" : ""}）<p>{n.body}</p>
              <form action={`/admin/notices/${n.id}/delete`} method="post">
                <button type="submit" class="secondary">
                  取り下げる<span class="visually-hidden">：{n.title}</span>
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
      <Section title="お知らせを追加" action="/admin/notices" button="掲載する">
        <Field name="title" label="見出し" />
        <label for="noticeBody">本文</label>
        <textarea id="noticeBody" name="body" rows={4} required />
        <Field name="from" label="掲載の始まり" type="date" value={today} />
        <Field name="until" label="掲載の終わり" type="date" />
      </Section>
    </StaffLayout>
  );
}

/** 館の情報: each branch's name, pickup flag and what patrons see on its page (address, phone, hours). */
export function BranchesPage({ branches, message }: { branches: Branch[]; message?: Outcome | undefined }) {
  return (
    <StaffLayout title="館の情報" message={message}>
      <p class="meta">利用者向けの「館のご案内」と、予約状況・予約カートに表示されます。空欄にした項目は表示されなくなります。</p>
      <div class="grid">
        {branches.map((b) => (
          <Section title={`${b.name}（${b.code}）`} action={`/admin/branches/${b.code}`} button="変更する">
            <Field name="name" id={`${b.code}-name`} label="館名" value={b.name} />
            <Field name="address" id={`${b.code}-address`} label="住所" value={b.address} required={false} />
            <Field name="phone" id={`${b.code}-phone`} label="電話番号（半角）" type="tel" value={b.phone} required={false} />
            <Field name="hours" id={`${b.code}-hours`} label="開館時間" value={b.hours} required={false} />
            <p class="check">
              <input type="checkbox" id={`${b.code}-pickup`} name="pickup" value="1" checked={b.pickup} />
              <label for={`${b.code}-pickup`}>受取館にする</label>
            </p>
          </Section>
        ))}
      </div>
    </StaffLayout>
  );
}

export function CounterPage({ branches, message }: { branches: Branch[]; message?: Outcome | undefined }) {
  const pickups = branches.filter((b) => b.pickup);
  return (
    <StaffLayout title="窓口業務" message={message}>
      <div class="grid">
        <Section title="インターネット予約の利用登録" action="/admin/counter/register" button="登録して仮パスワードを発行">
          <Field name="name" label="氏名" />
          <Field name="nameKana" label="氏名ヨミ" required={false} />
          <Field name="email" label="仮のメールアドレス" type="email" />
          <Field name="cardNumber" label="利用者番号（空欄なら新しく採番）" required={false} />
        </Section>
        <Section title="パスワード再発行" action="/admin/counter/reset" button="仮パスワードを再発行">
          <Field name="resetCard" label="利用者番号" />
        </Section>
        <Section title="利用の停止・再開" action="/admin/counter/status" button="変更する">
          <Field name="statusCard" label="利用者番号" />
          <label for="change">変更</label>
          <select id="change" name="change">
            <option value="web-off">インターネット予約を停止</option>
            <option value="web-on">インターネット予約を再開</option>
            <option value="suspend">利用停止</option>
            <option value="resume">利用停止を解除</option>
          </select>
        </Section>
        <Section title="窓口予約" action="/admin/counter/reserve" button="予約する（予約中）">
          <Field name="reserveCard" label="利用者番号" />
          <Field name="materialId" label="資料番号" />
          <label for="pickupBranch">受取館</label>
          <select id="pickupBranch" name="pickupBranch">
            {pickups.map((b) => (
              <option value={b.code}>{b.name}</option>
            ))}
          </select>
        </Section>
        <Section title="貸出" action="/admin/counter/lend" button="貸し出す">
          <Field name="lendCard" label="利用者番号" />
          <Field name="barcode" label="資料のバーコード" />
          <Field name="lendDue" label="返却期限（空欄なら貸出期間どおり）" type="date" required={false} />
        </Section>
        <Section title="返却" action="/admin/counter/return" button="返却する">
          <Field name="returnBarcode" label="資料のバーコード" />
        </Section>
        <Section title="資料の登録" action="/admin/counter/material" button="資料を登録">
          <Field name="title" label="書名" />
          <Field name="titleKana" label="書名ヨミ（カタカナ）" required={false} />
          <Field name="author" label="著者名" required={false} />
          <Field name="authorKana" label="著者ヨミ" required={false} />
          <Field name="publisher" label="出版者" required={false} />
          <Field name="year" label="出版年" required={false} />
          <Field name="isbn" label="ISBN" required={false} />
          <Field name="ndc" label="分類（NDC）" required={false} />
          <label for="type">資料種別</label>
          <select id="type" name="type">
            {MATERIAL_TYPES.map((t) => (
              <option value={t}>{MATERIAL_TYPE_LABELS[t]}</option>
            ))}
          </select>
          <Field name="magazineTitle" label="雑誌名（雑誌のとき）" required={false} />
          <p class="check">
            <input type="checkbox" id="latestIssue" name="latestIssue" value="1" />
            <label for="latestIssue">雑誌の最新号（予約不可）</label>
          </p>
        </Section>
        <Section title="資料の修正（入力した項目だけ変わります）" action="/admin/counter/material-edit" button="資料を修正">
          <Field name="editMaterialId" label="資料番号" />
          <Field name="editTitle" label="書名" required={false} />
          <Field name="editTitleKana" label="書名ヨミ" required={false} />
          <Field name="editAuthor" label="著者名" required={false} />
          <Field name="editPublisher" label="出版者" required={false} />
          <label for="editLatest">雑誌の最新号</label>
          <select id="editLatest" name="editLatest">
            <option value="">変更しない</option>
            <option value="1">最新号にする（予約不可）</option>
            <option value="0">最新号でなくする</option>
          </select>
        </Section>
        <Section title="所蔵（資料の一冊）の登録" action="/admin/counter/item" button="所蔵を登録">
          <Field name="itemMaterialId" label="資料番号" />
          <label for="branch">所蔵館</label>
          <select id="branch" name="branch">
            {branches.map((b) => (
              <option value={b.code}>{b.name}</option>
            ))}
          </select>
          <Field name="itemBarcode" label="バーコード（空欄なら採番）" required={false} />
          <Field name="callNumber" label="請求記号" required={false} />
          <p class="check">
            <input type="checkbox" id="notLoanable" name="notLoanable" value="1" />
            <label for="notLoanable">禁帯出（館内閲覧のみ）</label>
          </p>
        </Section>
        <Section title="所蔵の状態" action="/admin/counter/item-status" button="状態を変更">
          <Field name="statusBarcode" label="バーコード" />
          <label for="itemStatus">状態</label>
          <select id="itemStatus" name="itemStatus">
            {SETTABLE_ITEM_STATUSES.map((st) => (
              <option value={st}>{ITEM_STATUS_LABELS[st]}</option>
            ))}
          </select>
        </Section>
        <Section title="開館日" action="/admin/counter/calendar" button="設定する">
          <Field name="date" label="日付" type="date" />
          <label for="open">開館・休館</label>
          <select id="open" name="open">
            <option value="1">開館日</option>
            <option value="0">休館日</option>
          </select>
        </Section>
      </div>
    </StaffLayout>
  );
}
const JOB_STATES: Record<string, string> = { finished: "完了", running: "処理中", failed: "中断（次の実行で続きから）" };
const mib = (bytes: number) => `${(bytes / 1024 ** 2).toLocaleString("ja-JP", { maximumFractionDigits: 1 })} MB`;

export function StatusPage({ status }: { status: ServiceStatus }) {
  const { configuration, mail, jobs, imports, queues, database } = status;
  const provider = configuration.mailProvider;
  return (
    <StaffLayout title="システムの状態">
      <p>環境：{status.environment}</p>
      <h2>設定</h2>
      {configuration.ok ? (
        <p class="notice ok" role="status">
          設定に問題はありません。
        </p>
      ) : (
        <div class="notice error-box" role="alert">
          <p>設定に問題があります（値は表示しません）：</p>
          <ul>
            {configuration.problems.map((p) => (
              <li class="error">{p.message}</li>
            ))}
            {provider.reachable === false ? (
              <li class="error">メール送信サービスに接続できません（{provider.detail}）。</li>
            ) : null}
          </ul>
        </div>
      )}
      <p>
        メール送信サービス：
        {provider.configured
          ? provider.reachable
            ? `接続できます（${provider.detail}）`
            : "接続できません"
          : "未設定（送信せず記録のみ）"}
      </p>
      <h2>処理の最終実行</h2>
      {jobs.length === 0 ? (
        <p>まだ実行されていません。</p>
      ) : (
        <table class="stack">
          <thead>
            <tr>
              <th scope="col">処理</th>
              <th scope="col">業務日</th>
              <th scope="col">状態</th>
              <th scope="col">所要時間</th>
              <th scope="col">結果</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((j) => (
              <tr>
                <td data-label="処理">{jobName(j.job, "time" in j ? j.time : undefined)}</td>
                <td data-label="業務日">{jaDate(j.businessDate)}</td>
                <td data-label="状態">
                  {JOB_STATES[j.state]}
                  {j.error ? `：${j.error}` : ""}
                  {"late" in j && j.late ? <strong class="error">（昨夜の夜間更新が完了していません）</strong> : null}
                </td>
                <td data-label="所要時間">{j.durationMs === null ? "—" : `${(j.durationMs / 1000).toFixed(1)}秒`}</td>
                <td data-label="結果">{j.summary ? summaryText(JSON.stringify(j.summary)) : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>メールとキュー</h2>
      <p>
        送信待ち {mail.waiting}件・再試行待ち {mail.failed}件・送信断念 {mail.dead}件・未処理の依頼 {mail.unanswered}件
      </p>
      <ul>
        <li>メールのキュー：{queues.mail ? `${queues.mail.messages}件待ち` : "件数はこの環境では取得できません"}</li>
        <li>取込のキュー：{queues.imports ? `${queues.imports.messages}件待ち` : "件数はこの環境では取得できません"}</li>
      </ul>
      <h2>データベース</h2>
      <p>
        {database.bytes === null
          ? "容量はこの環境では取得できません。"
          : `${mib(database.bytes)}（上限 ${mib(database.limitBytes)} の ${(database.percent ?? 0).toFixed(2)}%）`}
      </p>
      <h2>データ取込（最近の5件）</h2>
      {imports.length === 0 ? (
        <p>まだありません。</p>
      ) : (
        <ul>
          {imports.map((r) => (
            <li>
              <a href={`/admin/imports/${r.id}`}>#{r.id}</a> {r.kindLabel} {r.fileName}：{r.statusLabel}
              （追加 {r.counts.added}・更新 {r.counts.updated}・取込不可 {r.counts.rejected}）
            </li>
          ))}
        </ul>
      )}
    </StaffLayout>
  );
}

const mailStatus = (status: string) => MAIL_STATUS_LABELS[status as keyof typeof MAIL_STATUS_LABELS] ?? status;

export function MailPage({ rows, patron }: { rows: OutboxRow[]; patron?: string | undefined }) {
  return (
    <StaffLayout title="メール送信状況">
      <p>
        <a href="/admin/mail/failures">メールが届かなかった利用者の一覧</a>
      </p>
      <form action="/admin/mail" method="get">
        <label for="patron">利用者番号で絞り込む</label>
        <input id="patron" name="patron" value={patron ?? ""} inputmode="numeric" autocomplete="off" />
        <button type="submit" class="secondary">
          表示
        </button>
      </form>
      {rows.length === 0 ? (
        <p>メールはありません。</p>
      ) : (
        <table class="stack">
          <thead>
            <tr>
              <th scope="col">作成</th>
              <th scope="col">利用者</th>
              <th scope="col">宛先</th>
              <th scope="col">件名</th>
              <th scope="col">状態</th>
              <th scope="col">試行</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((m) => (
              <tr>
                <td data-label="作成">{jaDateTime(m.createdAt)}</td>
                <td data-label="利用者">
                  {m.cardNumber ? <a href={`/admin/mail?patron=${encodeURIComponent(m.cardNumber)}`}>{m.cardNumber}</a> : "—"}
                </td>
                <td data-label="宛先">{m.to}</td>
                <td data-label="件名">{m.subject}</td>
                <td data-label="状態">
                  {mailStatus(m.status)}
                  {m.error && (m.status === "dead" || m.status === "bounced") ? <span class="meta">（{m.error}）</span> : null}
                </td>
                <td data-label="試行">{m.attempts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </StaffLayout>
  );
}

/** Patrons whose latest mail failed (refused for good, or bounced): to phone them. */
export function MailFailuresPage({ rows }: { rows: FailedPatron[] }) {
  return (
    <StaffLayout title="メールが届かなかった利用者">
      <p>
        最後のメールが届かなかった利用者です（送信不能・不達）。お電話などでご連絡し、メールアドレスの確認や迷惑メール設定（
        <a href="/help/mail">メールが届かない場合は</a>）をご案内してください。
      </p>
      {rows.length === 0 ? (
        <p>該当する利用者はいません。</p>
      ) : (
        <table class="stack">
          <thead>
            <tr>
              <th scope="col">利用者番号</th>
              <th scope="col">氏名</th>
              <th scope="col">宛先</th>
              <th scope="col">日時</th>
              <th scope="col">状態・理由</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => (
              <tr>
                <td data-label="利用者番号">
                  <a href={`/admin/mail?patron=${encodeURIComponent(p.cardNumber)}`}>{p.cardNumber}</a>
                </td>
                <td data-label="氏名">{p.name}</td>
                <td data-label="宛先">
                  {p.toAddress}
                  {p.email !== p.toAddress ? <span class="meta">（現在の登録：{p.email ?? "なし"}）</span> : null}
                </td>
                <td data-label="日時">{jaDateTime(p.failedAt)}</td>
                <td data-label="状態・理由">
                  {mailStatus(p.status)}
                  {p.reason ? <span class="meta">（{p.reason}）</span> : null}
                  {p.failures > 1 ? <span class="meta">（{p.failures}通）</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </StaffLayout>
  );
}
