// 館のご案内: every branch with its address, phone, opening hours, today's status and coming closed days.
import { jaDateShort } from "../../views/format";
import { Layout } from "../../views/layout";
import type { Branch } from "../catalog/reference";

/** tel: wants the digits only. */
export const telHref = (phone: string) => `tel:${phone.replace(/[^0-9+]/g, "")}`;

/** A map search for the address (opens the patron's map app on a phone). */
export const mapHref = (address: string) => `https://www.google.com/maps/search/?api=1&query=${encodeURIComponent(address)}`;

/** The branch's phone as a link to call, or nothing when none is on file. */
export function Phone({ phone }: { phone: string | null }) {
  return phone ? <a href={telHref(phone)}>{phone}</a> : null;
}

/** A branch's name linked to its page. */
export function BranchLink({ code, name }: { code: string; name: string }) {
  return <a href={`/branches/${encodeURIComponent(code)}`}>{name}</a>;
}

function TodayStatus({ open, today }: { open: boolean; today: string }) {
  return open ? (
    <strong class="ok">本日 {jaDateShort(today)} は開館日です</strong>
  ) : (
    <strong class="ng">本日 {jaDateShort(today)} は休館日です</strong>
  );
}

export function BranchListPage({ branches, openToday, today }: { branches: Branch[]; openToday: boolean; today: string }) {
  return (
    <Layout title="館のご案内">
      <h1>館のご案内</h1>
      <p>
        <TodayStatus open={openToday} today={today} />
      </p>
      <ul class="branches">
        {branches.map((b) => (
          <li>
            <h2>
              <BranchLink code={b.code} name={b.name} />
            </h2>
            {b.hours ? <p>開館時間：{b.hours}</p> : null}
            {b.phone ? (
              <p>
                電話：
                <Phone phone={b.phone} />
              </p>
            ) : null}
            {b.pickup ? null : <p class="meta">予約資料の受け取りはできません。</p>}
          </li>
        ))}
      </ul>
      <p>
        <a href="/calendar">開館日カレンダー</a>
      </p>
    </Layout>
  );
}

export function BranchPage({
  branch,
  openToday,
  today,
  closedDays,
}: {
  branch: Branch;
  openToday: boolean;
  today: string;
  /** Closed days in the coming weeks, ascending. */
  closedDays: string[];
}) {
  return (
    <Layout title={branch.name}>
      <h1>{branch.name}</h1>
      <p>
        <TodayStatus open={openToday} today={today} />
      </p>
      <dl class="facts">
        <dt>住所</dt>
        <dd>
          {branch.address ? (
            <>
              {branch.address}
              <br />
              <a href={mapHref(branch.address)} rel="noopener">
                地図を開く
              </a>
            </>
          ) : (
            "—"
          )}
        </dd>
        <dt>電話</dt>
        <dd>{branch.phone ? <Phone phone={branch.phone} /> : "—"}</dd>
        <dt>開館時間</dt>
        <dd>{branch.hours ?? "—"}</dd>
        <dt>予約資料の受け取り</dt>
        <dd>{branch.pickup ? "できます（受取館に選べます）" : "できません"}</dd>
      </dl>
      <h2>これからの休館日</h2>
      {closedDays.length === 0 ? (
        <p>この先4週間に休館日はありません。</p>
      ) : (
        <ul class="days">
          {closedDays.map((d) => (
            <li>{jaDateShort(d)}</li>
          ))}
        </ul>
      )}
      <p class="meta">休館日は図書館全体のカレンダーによります。</p>
      <p>
        <a href="/calendar">開館日カレンダー</a> ／ <a href="/branches">館のご案内へ戻る</a>
      </p>
    </Layout>
  );
}
