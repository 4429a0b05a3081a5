// Catalog pages: top, 資料検索 with its results fragment, 資料詳細情報, 開館日 calendar.
import {
  ITEM_STATUS_LABELS,
  MATERIAL_TYPE_LABELS,
  MATERIAL_TYPES,
  RESERVATION_STATUS_LABELS,
  type ReservationStatus,
} from "../../domain/codes";
import { formatIsbn } from "../../domain/isbn";
import { NOT_RESERVABLE_MESSAGES } from "../../domain/reservability";
import { jaClock, jaDateShort } from "../../views/format";
import { a11y as fieldA11y } from "../../views/forms";
import { Layout, pageTitle } from "../../views/layout";
import { BranchLink } from "../branches/views";
import type { MaterialDetail } from "./queries";
import type { SearchQuery } from "./schemas";
import type { MaterialSummary, SearchResult } from "./search";

interface Branch {
  code: string;
  name: string;
  pickup: boolean;
  hours?: string | null;
}

/** The raw form values, echoed back into the form as typed (also when invalid). */
export type FormValues = Record<string, string>;

const SORT_LABELS = { relevance: "適合度順", newest: "新しい順", title: "タイトル順" } as const;

/** On the search page htmx swaps only the results; the top page's form simply goes to the search page. */
// The view goes to the new results (show:top), a line says the search is on its way, and the fragment's
// <title> becomes the page's.
const SWAP_RESULTS = {
  "hx-get": "/search",
  "hx-target": "#results",
  "hx-swap": "outerHTML show:top",
  "hx-push-url": "true",
  "hx-indicator": "#searching",
};

function SearchForm({
  values,
  branches,
  errors,
  swapResults = true,
}: {
  values: FormValues;
  branches: Branch[];
  errors: Record<string, string>;
  swapResults?: boolean;
}) {
  const err = (name: string) =>
    errors[name] ? (
      <p class="error" id={`${name}-error`}>
        {errors[name]}
      </p>
    ) : null;
  // A field with an error points to its message and says it is invalid.
  const a11y = (name: string) => fieldA11y(errors, name);
  const advancedOpen = ["title", "author", "publisher", "isbn", "ndc", "type", "yearFrom", "yearTo", "branch", "available"].some(
    (k) => values[k],
  );
  return (
    <form action="/search" method="get" role="search" {...(swapResults ? SWAP_RESULTS : {})}>
      <label for="q">キーワード（書名・著者名・出版者・件名）</label>
      <div class="searchbox">
        <input type="search" id="q" name="q" value={values.q ?? ""} {...a11y("q")} enterkeyhint="search" />
        <button type="submit">検索</button>
      </div>
      {err("q")}
      <details class="advanced" open={advancedOpen}>
        <summary>詳細検索</summary>
        <div class="grid">
          {(
            [
              ["title", "書名"],
              ["author", "著者名"],
              ["publisher", "出版者"],
              ["isbn", "ISBN"],
              ["ndc", "分類（NDC）"],
            ] as const
          ).map(([name, label]) => (
            <div>
              <label for={name}>{label}</label>
              <input type="text" id={name} name={name} value={values[name] ?? ""} {...a11y(name)} />
              {err(name)}
            </div>
          ))}
          <div>
            <label for="type">資料種別</label>
            <select id="type" name="type" {...a11y("type")}>
              <option value="">すべて</option>
              {MATERIAL_TYPES.map((t) => (
                <option value={t} selected={values.type === t}>
                  {MATERIAL_TYPE_LABELS[t]}
                </option>
              ))}
            </select>
            {err("type")}
          </div>
          <div>
            <label for="yearFrom">出版年（から）</label>
            <input
              type="number"
              id="yearFrom"
              name="yearFrom"
              inputmode="numeric"
              value={values.yearFrom ?? ""}
              {...a11y("yearFrom")}
            />
            {err("yearFrom")}
          </div>
          <div>
            <label for="yearTo">出版年（まで）</label>
            <input type="number" id="yearTo" name="yearTo" inputmode="numeric" value={values.yearTo ?? ""} {...a11y("yearTo")} />
            {err("yearTo")}
          </div>
          <div>
            <label for="branch">所蔵館</label>
            <select id="branch" name="branch" {...a11y("branch")}>
              <option value="">すべての館</option>
              {branches.map((b) => (
                <option value={b.code} selected={values.branch === b.code}>
                  {b.name}
                </option>
              ))}
            </select>
            {err("branch")}
          </div>
          <div>
            <label for="sort">並び順</label>
            <select id="sort" name="sort" {...a11y("sort")}>
              {Object.entries(SORT_LABELS).map(([v, l]) => (
                <option value={v} selected={values.sort === v}>
                  {l}
                </option>
              ))}
            </select>
          </div>
        </div>
        <p class="check">
          <input
            type="checkbox"
            id="available"
            name="available"
            value="true"
            checked={["true", "1", "on"].includes(values.available ?? "")}
          />
          <label for="available">いま貸出できる資料のみ</label>
        </p>
      </details>
    </form>
  );
}

export function HomePage({
  branches,
  loggedOut = false,
  notices = [],
  arrivals = [],
  openToday,
  today,
}: {
  branches: Branch[];
  loggedOut?: boolean;
  /** お知らせ shown today. */
  notices?: Array<{ id: number; title: string; body: string; from: string }>;
  /** The newest 新着資料. */
  arrivals?: MaterialSummary[];
  openToday?: boolean;
  today?: string;
}) {
  return (
    <Layout title="トップ">
      {loggedOut ? (
        <p class="notice ok" role="status">
          ログアウトしました。
        </p>
      ) : null}
      <h1>資料検索</h1>
      <SearchForm values={{}} branches={branches} errors={{}} swapResults={false} />
      {notices.length > 0 ? (
        <section aria-labelledby="notices-heading">
          <h2 id="notices-heading">お知らせ</h2>
          <ul class="notices">
            {notices.map((n) => (
              <li>
                <strong>{n.title}</strong> <span class="meta">{jaDateShort(n.from)}</span>
                <p>{n.body}</p>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {today !== undefined ? (
        <section aria-labelledby="today-heading">
          <h2 id="today-heading">本日 {jaDateShort(today)} の開館</h2>
          <ul class="today">
            {branches.map((b) => (
              <li>
                <a href={`/branches/${encodeURIComponent(b.code)}`}>{b.name}</a>：
                {openToday ? <span class="ok">開館{b.hours ? `（${b.hours}）` : ""}</span> : <span class="ng">休館日</span>}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {arrivals.length > 0 ? (
        <section aria-labelledby="arrivals-heading">
          <h2 id="arrivals-heading">新着資料</h2>
          <ul class="arrivals">
            {arrivals.map((m) => (
              <li>
                <a href={`/materials/${m.id}`}>{m.title}</a>
                {m.author ? <span class="meta"> / {m.author}</span> : null}
              </li>
            ))}
          </ul>
          <p>
            <a href="/new-arrivals">新着資料をもっと見る</a> ／{" "}
            <a href="/rankings">ランキング（予約の多い資料・よく借りられている資料）</a>
          </p>
        </section>
      ) : null}
      <h2>インターネット予約について</h2>
      <p>
        市内にお住まいの方、通勤・通学されている方は、このページから本の予約と利用状況照会ができます。
        はじめに最寄りの図書館の窓口でインターネット予約の申請をしてください。
      </p>
      <ul>
        <li>
          <a href="/help/reservations">予約のしかた・予約状況の見かた</a>
        </li>
        <li>
          <a href="/help/mail">図書館からのメールが届かない場合は・・・</a>
        </li>
        <li>
          <a href="/calendar">開館日カレンダー</a>
        </li>
      </ul>
    </Layout>
  );
}

/** 貸出可 when a lendable copy is on the shelf, 館内閲覧のみ when only 禁帯出 copies are, else 在架なし. */
function ShelfBadge({ m }: { m: MaterialSummary }) {
  if (m.availableCount > 0) return <span class="badge ok">貸出可 {m.availableCount}冊</span>;
  if (m.onShelfCount > 0) return <span class="badge">館内閲覧のみ</span>;
  return <span class="badge">在架なし</span>;
}

function ResultItem({ m }: { m: MaterialSummary }) {
  return (
    <li>
      <a class="t" href={`/materials/${m.id}`}>
        {m.title}
      </a>
      {m.reservable ? (
        // The cart then offers the pickup branch to change (the patron's default or last choice first).
        <form action="/cart/items" method="post" class="add">
          <input type="hidden" name="materialId" value={String(m.id)} />
          <button type="submit" class="secondary" aria-label={`${m.title}を予約カートに追加`}>
            カートに追加
          </button>
        </form>
      ) : null}
      <p class="meta">
        {[m.author, m.publisher, m.year ? `${m.year}年` : null].filter(Boolean).join(" / ")}
        {" ・ "}
        {MATERIAL_TYPE_LABELS[m.type]}
      </p>
      <p class="meta">
        <ShelfBadge m={m} /> 所蔵 {m.holdingCount}冊 ・ 予約 {m.reservationCount}件
        {m.reservable ? null : <span class="ng"> ・ 予約できません</span>}
      </p>
    </li>
  );
}

function pageHref(values: FormValues, page: number, path = "/search"): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (k !== "page" && v) params.set(k, v);
  if (page > 1) params.set("page", String(page));
  return `${path}?${params.toString()}`;
}

/** Page links; on search htmx swaps the results, elsewhere (`path`) they are plain links. */
function Pager({ result, values, path }: { result: SearchResult; values: FormValues; path?: string }) {
  const pages = Math.min(Math.ceil(result.total / result.perPage), 500);
  if (pages <= 1) return null;
  const current = result.page;
  const shown = [1, current - 2, current - 1, current, current + 1, current + 2, pages].filter(
    (p, i, all) => p >= 1 && p <= pages && all.indexOf(p) === i,
  );
  shown.sort((a, b) => a - b);
  const link = (p: number, label: string, rel?: string) =>
    path ? (
      <a href={pageHref(values, p, path)} rel={rel ? `${rel} nofollow` : "nofollow"}>
        {label}
      </a>
    ) : (
      <a
        href={pageHref(values, p)}
        rel={rel ? `${rel} nofollow` : "nofollow"}
        hx-get={pageHref(values, p)}
        hx-target="#results"
        hx-swap="outerHTML show:top"
        hx-indicator="#searching"
        hx-push-url="true"
      >
        {label}
      </a>
    );
  return (
    <nav class="pager" aria-label="ページ送り">
      {current > 1 ? link(current - 1, "前へ", "prev") : null}
      {shown.map((p) => (p === current ? <span aria-current="page">{p}</span> : link(p, String(p))))}
      {current < pages ? link(current + 1, "次へ", "next") : null}
    </nav>
  );
}

/** The results section: the page's part that htmx replaces on search and paging. */
/** When the page's availability was read: a cached page may be a few minutes old (docs/caching.md). */
const AsOf = ({ at, what }: { at: number; what: string }) => (
  <p class="meta as-of">
    {what}は{jaClock(at)}現在のものです。
  </p>
);

/** The search page's title: it follows the query (htmx takes it from the fragment's <title>). */
export const searchTitle = (values: FormValues) => (values.q ? `「${values.q}」の検索結果` : "資料検索");

export function Results({
  result,
  values,
  query,
  asOf,
  fragment = false,
}: {
  result: SearchResult;
  values: FormValues;
  query: SearchQuery;
  asOf: number;
  /** Swapped in by htmx: the page's title comes along and focus goes to the heading. */
  fragment?: boolean;
}) {
  const from = (result.page - 1) * result.perPage + 1;
  const to = from + result.items.length - 1;
  return (
    <section id="results" aria-labelledby="results-heading">
      {fragment ? <title>{pageTitle(searchTitle(values))}</title> : null}
      <h2 id="results-heading" {...(fragment ? { tabindex: -1, autofocus: true } : {})}>
        検索結果 {result.total.toLocaleString("ja-JP")}件{result.totalCapped ? "以上" : ""}
        {result.items.length > 0 ? `（${from}〜${to}件目）` : ""}
      </h2>
      {result.items.length > 0 ? <AsOf at={asOf} what="貸出・予約の状況" /> : null}
      {result.items.length === 0 ? (
        <p>
          {result.total > 0 && query.page > 1
            ? "このページには資料がありません。"
            : "該当する資料が見つかりませんでした。ことばを短くするか、ひらがな・カタカナで検索してみてください。"}
        </p>
      ) : (
        <ol class="results" start={from}>
          {result.items.map((m) => (
            <ResultItem m={m} />
          ))}
        </ol>
      )}
      <Pager result={result} values={values} />
    </section>
  );
}

/** How many results, for screen readers: outside #results so it survives swaps (htmx updates it out of band). */
export function SearchStatus({ result, oob = false }: { result?: SearchResult; oob?: boolean }) {
  const text = result ? `検索結果 ${result.total.toLocaleString("ja-JP")}件${result.totalCapped ? "以上" : ""}` : "";
  return (
    <p id="search-status" class="visually-hidden" role="status" {...(oob ? { "hx-swap-oob": "true" } : {})}>
      {text}
    </p>
  );
}

/** The search form sent empty: what to type, in the results' place (htmx swaps it like results). */
export function EmptySearchPrompt() {
  return (
    <section id="results" role="status">
      <p>キーワードを入力するか、「詳細検索」で書名・著者名・分類などの条件を指定してください。</p>
    </section>
  );
}

export function ErrorResults({ errors }: { errors: Record<string, string> }) {
  return (
    <section id="results" role="alert">
      <h2>検索条件を確認してください</h2>
      <ul>
        {Object.values(errors).map((m) => (
          <li class="error">{m}</li>
        ))}
      </ul>
    </section>
  );
}

export function SearchPage(props: {
  values: FormValues;
  branches: Branch[];
  errors: Record<string, string>;
  results?: { result: SearchResult; query: SearchQuery; asOf: number };
  /** The form was sent with no condition. */
  prompt?: boolean;
}) {
  return (
    <Layout title={searchTitle(props.values)}>
      <h1>資料検索</h1>
      <SearchForm values={props.values} branches={props.branches} errors={props.errors} />
      <SearchStatus result={props.results?.result} />
      <p id="searching" class="htmx-indicator meta" aria-hidden="true">
        検索しています…
      </p>
      {Object.keys(props.errors).length > 0 ? (
        <ErrorResults errors={props.errors} />
      ) : props.results ? (
        <Results result={props.results.result} values={props.values} query={props.results.query} asOf={props.results.asOf} />
      ) : props.prompt ? (
        <EmptySearchPrompt />
      ) : (
        <section id="results" />
      )}
    </Layout>
  );
}

/** What adding a material to the cart would meet for this reader, said before anything is submitted. */
export interface ReserveStanding {
  /** This patron's active reservation of the material, if any. */
  reservedStatus: ReservationStatus | null;
  inCart: boolean;
  /** Reservations still free (patrons only). */
  remaining?: number;
  /** By how many the cart with this material would pass the limit. */
  overBy: number;
  limit: number;
}

/** 予約カートに追加 with the pickup branch offered first, or what stands in the way. */
function ReserveBox({
  m,
  pickupBranches,
  pickup,
  standing,
}: {
  m: { id: number; reservable: boolean; notReservableReason?: keyof typeof NOT_RESERVABLE_MESSAGES; reservationCount: number };
  pickupBranches: Branch[];
  pickup?: string;
  standing?: ReserveStanding;
}) {
  if (!m.reservable)
    return (
      <p class="notice">
        {m.notReservableReason ? NOT_RESERVABLE_MESSAGES[m.notReservableReason] : "この資料は予約できません。"}
      </p>
    );
  if (standing?.reservedStatus)
    return (
      <p class="notice" role="status">
        この資料はすでに予約しています（{RESERVATION_STATUS_LABELS[standing.reservedStatus]}）。
        <a href="/account/reservations">予約状況</a>でご確認ください。
      </p>
    );
  return (
    <form action="/cart/items" method="post">
      <input type="hidden" name="materialId" value={String(m.id)} />
      <label for="pickupBranch">受取館</label>
      <select id="pickupBranch" name="pickupBranch" required>
        {pickupBranches.map((b) => (
          <option value={b.code} selected={b.code === pickup}>
            {b.name}
          </option>
        ))}
      </select>
      {standing && standing.overBy > 0 ? (
        <p class="notice error">
          予約できるのは窓口での予約も含めておひとり{standing.limit}件までです。
          {standing.remaining !== undefined ? `いま予約できるのはあと${standing.remaining}件で、` : ""}
          予約カートの資料と合わせると{standing.overBy}件多いため、このままでは申請できません。
        </p>
      ) : null}
      <p>
        <button type="submit">{standing?.inCart ? "受取館を変更する" : "予約カートに追加"}</button>
      </p>
      <p class="meta">
        {standing?.inCart
          ? "この資料は予約カートに入っています。"
          : "※ 予約カートに追加しただけでは、まだ予約の申請は行われていません。"}
      </p>
    </form>
  );
}

export function MaterialPage({
  m,
  pickupBranches,
  asOf,
  pickup,
  standing,
}: {
  m: MaterialDetail & { reservable: boolean; notReservableReason?: keyof typeof NOT_RESERVABLE_MESSAGES };
  pickupBranches: Branch[];
  asOf: number;
  /** The pickup branch offered first. */
  pickup?: string;
  standing?: ReserveStanding;
}) {
  const bib: Array<[string, string | null]> = [
    ["書名", m.title],
    // A magazine's reading is the catalogue's filing aid, not something patrons read.
    ["ヨミ", m.type === "magazine" ? null : m.titleKana],
    ["著者名", m.author],
    ["著者ヨミ", m.authorKana],
    ["出版者", m.publisher],
    ["出版年", m.year ? `${m.year}年` : null],
    ["シリーズ", m.series],
    ["雑誌名", m.magazineTitle],
    ["ISBN", m.isbn ? formatIsbn(m.isbn) : null],
    ["分類（NDC）", m.ndc],
    ["件名", m.subject],
    ["資料種別", MATERIAL_TYPE_LABELS[m.type]],
  ];
  const lendable = m.holdings.filter((h) => h.loanable && h.status === "available").length;
  return (
    <Layout title={m.title}>
      <p>
        <a href="/search" data-back-to-search>
          資料検索へ
        </a>
      </p>
      <h1>資料詳細情報</h1>
      <p class="m-title">
        <strong>{m.title}</strong>
        {m.author ? <span class="meta"> / {m.author}</span> : null}
      </p>
      <section aria-labelledby="reserve-heading" class="reserve-box">
        <h2 id="reserve-heading">予約</h2>
        <p>
          所蔵 {m.holdings.length}冊（貸出可 {lendable}冊）・ この資料の予約件数：{m.reservationCount}件
        </p>
        <ReserveBox m={m} pickupBranches={pickupBranches} pickup={pickup} standing={standing} />
      </section>
      <h2>書誌情報</h2>
      <dl class="bib">
        {bib
          .filter(([, v]) => v)
          .map(([k, v]) => (
            <>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </>
          ))}
      </dl>
      <h2>所蔵</h2>
      {m.holdings.length === 0 ? (
        <p>所蔵がありません。</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">所蔵館</th>
              <th scope="col">請求記号</th>
              <th scope="col">状態</th>
              <th scope="col">貸出</th>
            </tr>
          </thead>
          <tbody>
            {m.holdings.map((h) => (
              <tr>
                <td>
                  <BranchLink code={h.branch} name={h.branchName} />
                </td>
                <td>{h.callNumber ?? "—"}</td>
                <td>
                  {ITEM_STATUS_LABELS[h.status]}
                  {h.status === "on_loan" && h.dueDate ? `（${jaDateShort(h.dueDate)}返却予定）` : ""}
                </td>
                <td>{h.loanable ? "可" : "禁帯出"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <AsOf at={asOf} what="所蔵・予約の状況" />
      <p class="meta">※ 画面上では在架でも、行方不明・汚損・破損などで貸出できない場合があります。</p>
    </Layout>
  );
}

/** A `branch` filter of a catalog page: every branch, or one. */
export function BranchSelect(p: { id: string; label: string; all: string; branches: Branch[]; selected?: string }) {
  return (
    <>
      <label for={p.id}>{p.label}</label>
      <select id={p.id} name="branch">
        <option value="">{p.all}</option>
        {p.branches.map((b) => (
          <option value={b.code} selected={b.code === p.selected}>
            {b.name}
          </option>
        ))}
      </select>
    </>
  );
}

/** NDC classes (日本十進分類法の類) as patrons know them. */
export const NDC_CLASSES = ["総記", "哲学", "歴史", "社会科学", "自然科学", "技術", "産業", "芸術", "言語", "文学"] as const;

/** 新着資料: the filters (branch, NDC class, type), then the list newest first, paged. */
export function NewArrivalsPage({
  result,
  values,
  branches,
  days,
  asOf,
}: {
  result: SearchResult;
  values: FormValues;
  branches: Branch[];
  days: number;
  asOf: number;
}) {
  const from = (result.page - 1) * result.perPage + 1;
  const filters = new URLSearchParams(
    (["branch", "ndc", "type"] as const).filter((k) => values[k]).map((k) => [k, values[k] as string]),
  ).toString();
  const q = filters ? `?${filters}` : "";
  const feeds = (
    <>
      <link rel="alternate" type="application/atom+xml" title="新着資料（Atom）" href={`/feeds/new.atom${q}`} />
      <link rel="alternate" type="application/feed+json" title="新着資料（JSON Feed）" href={`/feeds/new.json${q}`} />
    </>
  );
  return (
    <Layout title="新着資料" head={feeds}>
      <h1>新着資料</h1>
      <p class="meta">
        この{days}日間に所蔵に加わった資料です（新しい順）。更新情報：<a href={`/feeds/new.atom${q}`}>Atom</a>・
        <a href={`/feeds/new.json${q}`}>JSON Feed</a>
      </p>
      <form action="/new-arrivals" method="get" class="filters">
        <div class="grid">
          <div>
            <BranchSelect id="na-branch" label="所蔵館" all="すべての館" branches={branches} selected={values.branch} />
          </div>
          <div>
            <label for="na-ndc">分類</label>
            <select id="na-ndc" name="ndc">
              <option value="">すべての分類</option>
              {NDC_CLASSES.map((name, digit) => (
                <option value={String(digit)} selected={values.ndc === String(digit)}>
                  {digit} {name}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="na-type">資料種別</label>
            <select id="na-type" name="type">
              <option value="">すべての種別</option>
              {MATERIAL_TYPES.map((t) => (
                <option value={t} selected={values.type === t}>
                  {MATERIAL_TYPE_LABELS[t]}
                </option>
              ))}
            </select>
          </div>
        </div>
        <p>
          <button type="submit">表示する</button>
        </p>
      </form>
      <section id="results" aria-labelledby="results-heading">
        <h2 id="results-heading">
          新着資料 {result.total.toLocaleString("ja-JP")}件{result.totalCapped ? "以上" : ""}
          {result.items.length > 0 ? `（${from}〜${from + result.items.length - 1}件目）` : ""}
        </h2>
        {result.items.length === 0 ? (
          <p>この条件の新着資料はありません。</p>
        ) : (
          <>
            <AsOf at={asOf} what="貸出・予約の状況" />
            <ol class="results" start={from}>
              {result.items.map((m) => (
                <ResultItem m={m} />
              ))}
            </ol>
          </>
        )}
        <Pager result={result} values={values} path="/new-arrivals" />
      </section>
    </Layout>
  );
}

const WEEKDAYS = ["日", "月", "火", "水", "木", "金", "土"];

type Day = { date: string; open: boolean; note?: string | null };

/** Rows of seven cells, blank before the first day and after the last. */
function weeks(days: Day[], firstWeekday: number): Array<Array<Day | undefined>> {
  const cells: Array<Day | undefined> = [...Array.from({ length: firstWeekday }, () => undefined), ...days];
  while (cells.length % 7 !== 0) cells.push(undefined);
  const rows: Array<Array<Day | undefined>> = [];
  for (let i = 0; i < cells.length; i += 7) rows.push(cells.slice(i, i + 7));
  return rows;
}

export function CalendarPage({
  month,
  days,
  prev,
  next,
  today,
  branch,
  branches,
}: {
  month: string;
  days: Array<{ date: string; open: boolean; note?: string | null }>;
  prev: string;
  next: string;
  today: string;
  /** The branch the month is shown for (its hours and links); the closed days are the library's. */
  branch?: Branch;
  branches: Branch[];
}) {
  const firstWeekday = days.length > 0 ? new Date(`${days[0]?.date}T00:00:00Z`).getUTCDay() : 0;
  const [y, mo] = month.split("-");
  const q = branch ? `&branch=${encodeURIComponent(branch.code)}` : "";
  const ics = `/calendar.ics${branch ? `?branch=${encodeURIComponent(branch.code)}` : ""}`;
  return (
    <Layout title="開館日" head={<link rel="alternate" type="text/calendar" title="休館日（iCalendar）" href={ics} />}>
      <h1>
        開館日カレンダー {y}年{Number(mo)}月{branch ? `（${branch.name}）` : ""}
      </h1>
      <form action="/calendar" method="get" class="filters">
        <input type="hidden" name="month" value={month} />
        <BranchSelect id="cal-branch" label="館" all="図書館全体" branches={branches} selected={branch?.code} />
        <button type="submit" class="secondary">
          表示
        </button>
      </form>
      {branch?.hours ? <p>開館時間：{branch.hours}</p> : null}
      <nav class="pager" aria-label="月の切り替え">
        <a href={`/calendar?month=${prev}${q}`}>前の月</a>
        <a href={`/calendar?month=${next}${q}`}>次の月</a>
      </nav>
      <table class="cal">
        <caption>{`${y}年${Number(mo)}月の開館日（休館日は赤、今日は太枠）`}</caption>
        <thead>
          <tr>
            {WEEKDAYS.map((w, i) => (
              <th scope="col" class={i === 0 ? "sun" : i === 6 ? "sat" : undefined}>
                {w}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks(days, firstWeekday).map((week) => (
            <tr>
              {week.map((d, i) =>
                d ? (
                  <td
                    class={[
                      d.open ? "open" : "closed",
                      i === 0 || d.note ? "sun" : i === 6 ? "sat" : "",
                      d.date === today ? "today" : "",
                    ]
                      .filter(Boolean)
                      .join(" ")}
                    {...(d.date === today ? { "aria-current": "date" } : {})}
                  >
                    {Number(d.date.slice(8))}
                    {d.date === today ? <span class="visually-hidden">（今日）</span> : null}
                    <br />
                    <small>{d.open ? "開館" : "休館"}</small>
                    {d.note ? (
                      <>
                        <br />
                        <small class="holiday">{d.note}</small>
                      </>
                    ) : null}
                  </td>
                ) : (
                  <td />
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
      <p class="meta">予約の受付処理は、申請した翌開館日の朝に行います。</p>
      <p>
        <a href={ics}>休館日をカレンダーアプリに登録する（iCalendar）</a>
      </p>
    </Layout>
  );
}
