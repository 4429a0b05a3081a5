// Staff pages: login with the staff token, the morning dashboard (pending applications, last runs, running
// the acceptance by hand), the list of copies to set aside in queue order, and the mail outbox.
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Child } from "hono/jsx";
import { endSession } from "../../auth/sessions";
import {
  cleanStaffName,
  createStaffSession,
  isStaffToken,
  STAFF_COOKIE,
  STAFF_SESSION_MS,
  staffIdentity,
} from "../../auth/staff";
import { isValidDate, tokyoDate } from "../../domain/calendar";
import type { AppEnv } from "../../env";
import { AppError } from "../../errors";
import { runJob } from "../../jobs/run";
import { jaDateTime } from "../../views/format";
import { Layout } from "../../views/layout";
import { audit } from "./audit";
import { outboxRows, setAside } from "./routes";

interface HoldCandidate {
  reservationId: number;
  position: number;
  title: string;
  cardNumber: string;
  pickupBranch: string;
  itemId: number;
  barcode: string;
  itemBranch: string;
}

/** The k-th waiting reservation of a material meets its k-th free lendable copy, first accepted first. */
async function holdCandidates(db: D1Database): Promise<HoldCandidate[]> {
  const rows = await db
    .prepare(
      `WITH waiting AS (
         SELECT r.id, r.material_id, r.pickup_branch, r.accepted_at, p.card_number,
                row_number() OVER (PARTITION BY r.material_id ORDER BY r.accepted_at, r.id) AS pos
         FROM reservations r JOIN patrons p ON p.id = r.patron_id WHERE r.status = 'reserved'),
       free AS (
         SELECT i.material_id, i.id AS item_id, i.barcode, i.branch_code,
                row_number() OVER (PARTITION BY i.material_id ORDER BY i.id) AS n
         FROM items i WHERE i.status = 'available' AND i.loanable = 1 AND i.material_id IN (SELECT material_id FROM waiting))
       SELECT w.id AS reservationId, w.pos AS position, m.title, w.card_number AS cardNumber, pb.name AS pickupBranch,
              f.item_id AS itemId, f.barcode, ib.name AS itemBranch
       FROM waiting w JOIN free f ON f.material_id = w.material_id AND f.n = w.pos
       JOIN materials m ON m.id = w.material_id JOIN branches pb ON pb.code = w.pickup_branch JOIN branches ib ON ib.code = f.branch_code
       ORDER BY w.accepted_at, w.id LIMIT 200`,
    )
    .all<HoldCandidate>();
  return rows.results;
}

function StaffLayout({ title, children }: { title: string; children: Child }) {
  return (
    <Layout title={`職員：${title}`}>
      <nav class="pager" aria-label="職員メニュー">
        <a href="/admin">受付・取置</a>
        <a href="/admin/counter">窓口業務</a>
        <a href="/admin/mail">メール送信状況</a>
        <form action="/admin/logout" method="post" class="inline">
          <button type="submit" class="secondary">
            職員ログアウト
          </button>
        </form>
      </nav>
      <h1>{title}</h1>
      {children}
    </Layout>
  );
}

const requireStaffPage: MiddlewareHandler<AppEnv> = async (c, next) => {
  const who = await staffIdentity(c);
  if (!who) return c.redirect("/admin/login", 303);
  c.set("staff", who);
  await next();
};

interface Run {
  job: string;
  businessDate: string;
  finishedAt: number | null;
  summary: string | null;
}

async function dashboard(c: Context<AppEnv>, message?: string) {
  const db = c.env.DB;
  const [pending, runs] = await db.batch([
    db.prepare("SELECT count(*) AS n, min(applied_at) AS oldest FROM reservations WHERE status = 'applied'"),
    db.prepare(
      "SELECT job, business_date AS businessDate, finished_at AS finishedAt, summary FROM job_runs ORDER BY started_at DESC LIMIT 4",
    ),
  ]);
  const p = pending?.results?.[0] as { n: number; oldest: number | null } | undefined;
  const waiting = await db
    .prepare(
      `SELECT r.id, m.title, pt.card_number AS cardNumber, b.name AS pickup, r.applied_at AS appliedAt
       FROM reservations r JOIN materials m ON m.id = r.material_id JOIN patrons pt ON pt.id = r.patron_id JOIN branches b ON b.code = r.pickup_branch
       WHERE r.status = 'applied' ORDER BY r.applied_at, r.id LIMIT 50`,
    )
    .all<{ id: number; title: string; cardNumber: string; pickup: string; appliedAt: number }>();
  const candidates = await holdCandidates(db);
  const today = tokyoDate(Date.now());
  return (
    <StaffLayout title="受付処理と取り置き">
      {message ? (
        <p class="notice" role="status">
          {message}
        </p>
      ) : null}
      <h2>予約申請中（受付待ち）</h2>
      <p>
        {p?.n ?? 0}件{p?.oldest ? `（いちばん古い申請：${jaDateTime(p.oldest)}）` : ""}
      </p>
      {waiting.results.length > 0 ? (
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
            {waiting.results.map((w) => (
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
        <button type="submit">{today} の受付処理を実行</button>
      </form>
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
          {((runs?.results ?? []) as Run[]).map((r) => (
            <tr>
              <td>{r.job === "acceptance" ? "受付処理" : "夜間更新"}</td>
              <td>{r.businessDate}</td>
              <td>{r.finishedAt ? summaryText(r.summary) : "処理中"}</td>
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

function summaryText(summary: string | null): string {
  if (!summary) return "";
  const s = JSON.parse(summary) as Record<string, number>;
  if ("accepted" in s)
    return `予約中 ${s.accepted}件・予約拒否 ${s.rejected}件・取消 ${s.cancelled}件・取消不可 ${s.cancellationsRefused}件`;
  return `取置期限切れ ${s.holdsExpired ?? 0}件・匿名化 ${s.reservationsAnonymised ?? 0}件・貸出記録の切り離し ${s.loansUnlinked ?? 0}件`;
}

function LoginPage({ error }: { error?: string }) {
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

export const adminPages = new Hono<AppEnv>()
  .get("/admin/login", (c) => c.html(<LoginPage />))
  .post("/admin/login", async (c) => {
    const form = await c.req.parseBody();
    const token = typeof form.token === "string" ? form.token : "";
    if (!(await isStaffToken(c.env, token))) return c.html(<LoginPage error="トークンが正しくありません。" />, 401);
    const staffName = cleanStaffName(typeof form.staffName === "string" ? form.staffName : "");
    if (!staffName) return c.html(<LoginPage error="職員名を入力してください。" />, 400);
    const session = await createStaffSession(c, staffName, Date.now());
    setCookie(c, STAFF_COOKIE, session, {
      path: "/",
      secure: true,
      httpOnly: true,
      sameSite: "Strict",
      maxAge: STAFF_SESSION_MS / 1000,
    });
    c.set("staff", `staff:page:${staffName}`);
    await audit(c, "staff.login", { type: "staff", id: "page" });
    return c.redirect("/admin", 303);
  })
  .post("/admin/logout", async (c) => {
    const cookie = getCookie(c, STAFF_COOKIE);
    if (cookie) await endSession(c.var.db, cookie);
    deleteCookie(c, STAFF_COOKIE, { path: "/", secure: true });
    return c.redirect("/admin/login", 303);
  })
  .use("/admin", requireStaffPage)
  .use("/admin/*", requireStaffPage)
  .get("/admin", async (c) => c.html(await dashboard(c)))
  .post("/admin/acceptance", async (c) => {
    const form = await c.req.parseBody();
    const today = tokyoDate(Date.now());
    const date = typeof form.date === "string" && isValidDate(form.date) && form.date <= today ? form.date : today;
    const summary = await runJob(c.env, "acceptance", { date, now: Date.now(), baseUrl: new URL(c.req.url).origin });
    await audit(c, "job.acceptance", { type: "job", id: date });
    const message =
      "skipped" in summary
        ? `${date} は休館日のため、受付処理は行いませんでした。`
        : summary.alreadyRun
          ? `${date} の受付処理はすでに済んでいます（${summaryText(JSON.stringify(summary))}）。`
          : `${date} の受付処理を行いました：${summaryText(JSON.stringify(summary))}`;
    return c.html(await dashboard(c, message));
  })
  .post("/admin/holds", async (c) => {
    const form = await c.req.parseBody();
    const reservationId = Number(form.reservationId);
    const itemId = Number(form.itemId);
    if (!Number.isInteger(reservationId) || !Number.isInteger(itemId))
      throw new AppError("invalid_request", "取り置く予約と所蔵を選んでください。");
    try {
      const until = await setAside(c, reservationId, itemId);
      return c.html(await dashboard(c, `取り置きました（取置期限 ${until}）。`));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return c.html(await dashboard(c, err.message), err.status);
    }
  })
  .get("/admin/mail", async (c) => {
    const rows = await outboxRows(c.env.DB);
    return c.html(
      <StaffLayout title="メール送信状況">
        {rows.length === 0 ? (
          <p>メールはありません。</p>
        ) : (
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">作成</th>
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
                  <td data-label="宛先">{m.to}</td>
                  <td data-label="件名">{m.subject}</td>
                  <td data-label="状態">{m.status}</td>
                  <td data-label="試行">{m.attempts}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </StaffLayout>,
    );
  });
