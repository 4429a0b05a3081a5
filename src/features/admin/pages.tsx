// Staff pages: login with the staff token, the morning dashboard (pending applications, last runs, running
// the acceptance by hand, copies to set aside in queue order), the counter page (窓口業務) and the mail
// outbox. Each form posts back to its page, which says what happened; the work is done by actions.ts.
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { Hono } from "hono/tiny";
import { endSession } from "../../auth/sessions";
import {
  cleanStaffName,
  countStaffFailure,
  createStaffSession,
  isStaffToken,
  refuseStaffGuesser,
  requireStaff,
  STAFF_COOKIE,
  STAFF_SESSION_MS,
} from "../../auth/staff";
import { configProblems } from "../../config";
import { isValidDate, tokyoDate } from "../../domain/calendar";
import { ITEM_STATUS_LABELS } from "../../domain/codes";
import type { AppEnv } from "../../env";
import { AppError, invalidRequest } from "../../errors";
import { recentRuns } from "../../jobs/queries";
import { isProduction, staffNow } from "../../jobs/rehearsal";
import { scheduleOf } from "../../jobs/schedule";
import { failedPatrons } from "../../mail/failures";
import { holdCandidates, pendingApplications } from "../../reservations/read";
import { parseWith } from "../../validation";
import { jaDate } from "../../views/format";
import { type Form, field, given, idOf, idParam, readForm } from "../../views/forms";
import { isFragmentRequest } from "../../views/htmx";
import { listBranches } from "../catalog/queries";
import * as act from "./actions";
import { audit } from "./audit";
import { ImportRunPage, ImportsPage, RunReport } from "./import-views";
import * as imports from "./imports";
import { currentNotices, outboxRows } from "./queries";
import { staffOf } from "./routes";
import {
  branchPatchSchema,
  counterReservationSchema,
  importSchema,
  itemPatchSchema,
  itemSchema,
  jobSchema,
  loanSchema,
  materialPatchSchema,
  materialSchema,
  noticeSchema,
  patronSchema,
} from "./schemas";
import { serviceStatus } from "./status";
import {
  BranchesPage,
  CounterPage,
  Dashboard,
  LoginPage,
  MailFailuresPage,
  MailPage,
  NoticesPage,
  type Outcome,
  StatusPage,
  summaryText,
} from "./views";

async function dashboard(c: Context<AppEnv>, message?: Outcome) {
  const db = c.var.d1;
  const now = Date.now();
  // Copies go by the staff's clock (a rehearsal's day): a suspension ending that day no longer holds.
  const clock = await staffNow(c.env, db, now);
  const [pending, runs, candidates] = await Promise.all([
    pendingApplications(db),
    recentRuns(db),
    holdCandidates(db, tokyoDate(clock)),
  ]);
  const rehearsal = isProduction(c.env)
    ? undefined
    : { times: scheduleOf(c.env).acceptance, asOf: clock > now ? clock : undefined };
  return (
    <Dashboard
      pending={pending}
      runs={runs}
      candidates={candidates}
      today={tokyoDate(now)}
      rehearsal={rehearsal}
      message={message}
    />
  );
}

/** The date (and acceptance time) of a job form; blank fields are absent. */
function jobRequest(f: Form): { date?: string; time?: string } {
  const parsed = parseWith(jobSchema, { date: given(f, "date"), time: given(f, "time") });
  if (!parsed.ok) throw invalidRequest(parsed.fields);
  return parsed.data;
}

/** What a job run by hand reports on the dashboard. */
function jobOutcome(job: "acceptance" | "nightly", summary: Awaited<ReturnType<typeof act.runJobByHand>>): string {
  const name = job === "acceptance" ? "受付処理" : "夜間更新";
  const day = `${jaDate(summary.businessDate)}${"rehearsal" in summary ? "（リハーサル）" : ""}`;
  if ("skipped" in summary) return `${day} は休館日のため、受付処理は行いませんでした。`;
  if (summary.alreadyRun) return `${day} の${name}はすでに済んでいます（${summaryText(JSON.stringify(summary))}）。`;
  return `${day} の${name}を行いました：${summaryText(JSON.stringify(summary))}`;
}

async function importsPage(c: Context<AppEnv>, message?: Outcome) {
  const s = staffOf(c);
  const [runs, set] = await Promise.all([imports.importList(s), imports.mappingsSet(s)]);
  return <ImportsPage runs={runs} mappings={set} message={message} />;
}

async function noticesPage(c: Context<AppEnv>, message?: Outcome) {
  const today = tokyoDate(Date.now());
  return <NoticesPage notices={await currentNotices(c.var.d1, today)} today={today} message={message} />;
}

async function branchesPage(c: Context<AppEnv>, message?: Outcome) {
  return <BranchesPage branches={await listBranches(c.var.db)} message={message} />;
}

async function counterPage(c: Context<AppEnv>, message?: Outcome) {
  return <CounterPage branches={await listBranches(c.var.db)} message={message} />;
}

/**
 * Runs one staff action from a form and shows its outcome on the page it came from: what it did, or the
 * refusal in Japanese (with the field messages) and the error's status.
 */
async function perform(
  c: Context<AppEnv>,
  page: (c: Context<AppEnv>, m: Outcome) => ReturnType<typeof dashboard>,
  work: (f: Form) => Promise<string>,
) {
  const f = await readForm(c);
  try {
    return c.html(await page(c, { ok: true, text: await work(f) }));
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const fields = (err.extra.fields ?? {}) as Record<string, string>;
    const detail = Object.values(fields).join(" ");
    return c.html(await page(c, { ok: false, text: `${err.message}${detail ? ` ${detail}` : ""}` }), err.status);
  }
}

const onCounter = (c: Context<AppEnv>, work: (f: Form) => Promise<string>) => perform(c, counterPage, work);

function parsed<T>(result: { ok: true; data: T } | { ok: false; fields: Record<string, string> }): T {
  if (!result.ok) throw new AppError("invalid_request", Object.values(result.fields).join(" "));
  return result.data;
}

const STATUS_CHANGES: Record<string, { patch: { webEnabled?: boolean; suspended?: boolean }; text: string }> = {
  "web-off": { patch: { webEnabled: false }, text: "インターネット予約を停止しました。" },
  "web-on": { patch: { webEnabled: true }, text: "インターネット予約を再開しました。" },
  suspend: { patch: { suspended: true }, text: "利用停止にしました。" },
  resume: { patch: { suspended: false }, text: "利用停止を解除しました。" },
};

const staffPage = requireStaff({ mode: "page" });

export const adminPages = new Hono<AppEnv>()
  .get("/admin/login", (c) => c.html(<LoginPage />))
  .post("/admin/login", async (c) => {
    const form = await readForm(c);
    const unset = configProblems(c.env).find((p) => p.name === "ADMIN_TOKEN");
    if (unset) return c.html(<LoginPage error={`職員ログインできません：${unset.message}`} />, 503);
    await refuseStaffGuesser(c);
    if (!(await isStaffToken(c.env, field(form, "token") ?? ""))) {
      await countStaffFailure(c);
      return c.html(<LoginPage error="トークンが正しくありません。" />, 401);
    }
    const staffName = cleanStaffName(field(form, "staffName"));
    if (!staffName) return c.html(<LoginPage error="職員名を入力してください。" />, 400);
    const session = await createStaffSession(c, staffName, Date.now());
    setCookie(c, STAFF_COOKIE, session, {
      path: "/",
      secure: true,
      httpOnly: true,
      sameSite: "Strict",
      maxAge: STAFF_SESSION_MS / 1000,
    });
    await audit(c.var.db, `staff:page:${staffName}`, "staff.login", { type: "staff", id: "page" });
    return c.redirect("/admin", 303);
  })
  .post("/admin/logout", async (c) => {
    const cookie = getCookie(c, STAFF_COOKIE);
    if (cookie) await endSession(c.var.db, cookie);
    deleteCookie(c, STAFF_COOKIE, { path: "/", secure: true });
    return c.redirect("/admin/login", 303);
  })
  .use("/admin", staffPage)
  .use("/admin/*", staffPage)
  .get("/admin", async (c) => c.html(await dashboard(c)))
  .post("/admin/acceptance", (c) =>
    perform(c, dashboard, async (f) => {
      const summary = await act.runJobByHand(staffOf(c), "acceptance", jobRequest(f));
      return jobOutcome("acceptance", summary);
    }),
  )
  .post("/admin/nightly", (c) =>
    perform(c, dashboard, async (f) => {
      const summary = await act.runJobByHand(staffOf(c), "nightly", jobRequest(f));
      return jobOutcome("nightly", summary);
    }),
  )
  .post("/admin/holds", (c) =>
    perform(c, dashboard, async (f) => {
      const reservationId = idOf(field(f, "reservationId"));
      const itemId = idOf(field(f, "itemId"));
      if (reservationId === undefined || itemId === undefined)
        throw new AppError("invalid_request", "取り置く予約と所蔵を選んでください。");
      return `取り置きました（取置期限 ${jaDate(await act.holdCopy(staffOf(c), reservationId, itemId))}）。`;
    }),
  )
  .get("/admin/imports", async (c) => c.html(await importsPage(c)))
  .post("/admin/imports", async (c) => {
    let body: Record<string, string | File>;
    try {
      body = (await c.req.parseBody()) as Record<string, string | File>;
    } catch {
      throw new AppError("invalid_request", "送信された内容を読み取れませんでした。もう一度お試しください。");
    }
    const file = body.file;
    const q = importSchema.safeParse({ kind: body.kind, dryRun: body.dryRun || undefined, full: body.full || undefined });
    if (!q.success) return c.html(await importsPage(c, { ok: false, text: "取り込む種類を選んでください。" }), 400);
    if (!(file instanceof File) || file.size === 0)
      return c.html(
        await importsPage(c, { ok: false, text: "取り込むファイルを選んでください（空のファイルは取り込めません）。" }),
        400,
      );
    try {
      const { id } = await imports.startImportRun(staffOf(c), q.data, { name: file.name, body: file, size: file.size }, "page");
      return c.redirect(`/admin/imports/${id}`, 303);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const detail = Object.values((err.extra.fields ?? {}) as Record<string, string>).join(" ");
      return c.html(await importsPage(c, { ok: false, text: detail || err.message }), err.status);
    }
  })
  .post("/admin/imports/pickup", (c) =>
    perform(c, importsPage, async () => {
      const { started } = await imports.pickUpNow(staffOf(c));
      return started.length === 0 ? "受け渡し用の新しいファイルはありませんでした。" : `${started.length}件の取込を始めました。`;
    }),
  )
  .post("/admin/imports/mappings", (c) =>
    perform(c, importsPage, async (f) => {
      const kind = importSchema.shape.kind.safeParse(field(f, "kind"));
      if (!kind.success) throw new AppError("invalid_request", "種類を選んでください。");
      let json: unknown;
      try {
        json = JSON.parse(field(f, "mapping") ?? "");
      } catch {
        throw new AppError("invalid_request", "対応表がJSONとして読めません。");
      }
      await imports.setMapping(staffOf(c), kind.data, json);
      return "対応表を保存しました。次の取込から使われます。";
    }),
  )
  .get("/admin/imports/:id", async (c) => {
    const id = idParam(c);
    const report = await imports.importReport(staffOf(c), id);
    // htmx polls the report part while the run goes on.
    if (isFragmentRequest(c)) return c.html(<RunReport r={report} rejected={report.rejected} />);
    return c.html(<ImportRunPage r={report} rejected={report.rejected} />);
  })
  .get("/admin/imports/:id/rejected.csv", async (c) => {
    const { name, csv } = await imports.rejectedCsv(staffOf(c), idParam(c));
    return c.body(csv, 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}"`,
    });
  })
  .post("/admin/imports/:id/resume", async (c) => {
    const id = idParam(c);
    await imports.resumeImport(staffOf(c), id);
    return c.redirect(`/admin/imports/${id}`, 303);
  })
  .get("/admin/mail", async (c) => {
    const patron = c.req.query("patron")?.trim() || undefined;
    return c.html(<MailPage rows={await outboxRows(c.env.DB, { cardNumber: patron })} patron={patron} />);
  })
  .get("/admin/mail/failures", async (c) => c.html(<MailFailuresPage rows={await failedPatrons(c.env.DB)} />))
  .get("/admin/status", async (c) => c.html(<StatusPage status={await serviceStatus(staffOf(c))} />))
  .get("/admin/counter", async (c) => c.html(await counterPage(c)))
  .get("/admin/notices", async (c) => c.html(await noticesPage(c)))
  .post("/admin/notices", (c) =>
    perform(c, noticesPage, async (f) => {
      const input = parsed(
        parseWith(noticeSchema, {
          title: field(f, "title"),
          body: field(f, "body"),
          from: field(f, "from"),
          until: field(f, "until"),
        }),
      );
      await act.createNotice(staffOf(c), input);
      return `「${input.title}」を掲載しました（${jaDate(input.from)}〜${jaDate(input.until)}）。`;
    }),
  )
  .post("/admin/notices/:id/delete", (c) =>
    perform(c, noticesPage, async () => {
      await act.removeNotice(staffOf(c), idParam(c));
      return "お知らせを取り下げました。";
    }),
  )
  .get("/admin/branches", async (c) => c.html(await branchesPage(c)))
  .post("/admin/branches/:code", (c) =>
    perform(c, branchesPage, async (f) => {
      const patch = parsed(
        parseWith(branchPatchSchema, {
          name: field(f, "name"),
          address: field(f, "address") ?? "",
          phone: field(f, "phone") ?? "",
          hours: field(f, "hours") ?? "",
          pickup: field(f, "pickup") === "1",
        }),
      );
      const b = await act.changeBranch(staffOf(c), c.req.param("code"), patch);
      return `${"name" in b ? b.name : c.req.param("code")} の情報を変更しました。`;
    }),
  )
  .post("/admin/counter/register", (c) =>
    onCounter(c, async (f) => {
      const input = parsed(
        parseWith(patronSchema, {
          ...f,
          cardNumber: field(f, "cardNumber") || undefined,
          nameKana: field(f, "nameKana") || undefined,
        }),
      );
      const made = await act.registerPatron(staffOf(c), input);
      return `登録しました。利用者番号 ${made.cardNumber}、仮パスワード ${made.temporaryPassword}（この画面でのみ表示します。利用者にお渡しください）`;
    }),
  )
  .post("/admin/counter/reset", (c) =>
    onCounter(
      c,
      async (f) =>
        `仮パスワードを再発行しました：${(await act.resetPassword(staffOf(c), (field(f, "resetCard") ?? "").trim())).temporaryPassword}（この画面でのみ表示します）`,
    ),
  )
  .post("/admin/counter/status", (c) =>
    onCounter(c, async (f) => {
      const change = STATUS_CHANGES[field(f, "change") ?? ""];
      if (!change) throw new AppError("invalid_request", "変更の内容を選んでください。");
      await act.updatePatron(staffOf(c), (field(f, "statusCard") ?? "").trim(), change.patch);
      return change.text;
    }),
  )
  .post("/admin/counter/reserve", (c) =>
    onCounter(c, async (f) => {
      const input = parsed(
        parseWith(counterReservationSchema, {
          cardNumber: field(f, "reserveCard"),
          materialId: Number(field(f, "materialId")),
          pickupBranch: field(f, "pickupBranch"),
        }),
      );
      const made = await act.counterReservation(staffOf(c), input);
      return `予約しました（予約番号 ${made.id}、予約中）。`;
    }),
  )
  .post("/admin/counter/lend", (c) =>
    onCounter(c, async (f) => {
      const s = staffOf(c);
      const itemId = await act.itemOfBarcode(s, field(f, "barcode") ?? "");
      const loan = await act.lend(
        s,
        parsed(parseWith(loanSchema, { cardNumber: field(f, "lendCard"), itemId, dueDate: given(f, "lendDue") })),
      );
      return `貸し出しました（返却期限 ${jaDate(loan.dueDate)}）。`;
    }),
  )
  .post("/admin/counter/return", (c) =>
    onCounter(c, async (f) => {
      await act.returnByBarcode(staffOf(c), field(f, "returnBarcode") ?? "");
      return "返却しました。";
    }),
  )
  .post("/admin/counter/calendar", (c) =>
    onCounter(c, async (f) => {
      const date = field(f, "date") ?? "";
      if (!isValidDate(date)) throw new AppError("invalid_request", "日付を選んでください。");
      const open = field(f, "open") === "1";
      await act.setOpeningDay(staffOf(c), date, open);
      return `${jaDate(date)} を${open ? "開館日" : "休館日"}にしました。`;
    }),
  )
  .post("/admin/counter/material", (c) =>
    onCounter(c, async (f) => {
      const year = given(f, "year");
      const input = parsed(
        parseWith(materialSchema, {
          title: field(f, "title"),
          titleKana: given(f, "titleKana"),
          author: given(f, "author"),
          authorKana: given(f, "authorKana"),
          publisher: given(f, "publisher"),
          year: year === undefined ? undefined : Number(year),
          isbn: given(f, "isbn"),
          ndc: given(f, "ndc"),
          type: field(f, "type"),
          magazineTitle: given(f, "magazineTitle"),
          latestIssue: field(f, "latestIssue") === "1",
        }),
      );
      return `資料を登録しました（資料番号 ${(await act.createMaterial(staffOf(c), input)).id}）。`;
    }),
  )
  .post("/admin/counter/item", (c) =>
    onCounter(c, async (f) => {
      const input = parsed(
        parseWith(itemSchema, {
          materialId: Number(field(f, "itemMaterialId")),
          branch: field(f, "branch"),
          barcode: given(f, "itemBarcode"),
          callNumber: given(f, "callNumber"),
          loanable: field(f, "notLoanable") !== "1",
        }),
      );
      const made = await act.createItem(staffOf(c), input);
      return `所蔵を登録しました（バーコード ${made.barcode}${input.loanable ? "" : "、禁帯出"}）。`;
    }),
  )
  .post("/admin/counter/item-status", (c) =>
    onCounter(c, async (f) => {
      const s = staffOf(c);
      const itemId = await act.itemOfBarcode(s, field(f, "statusBarcode") ?? "");
      const input = parsed(parseWith(itemPatchSchema, { status: field(f, "itemStatus") }));
      await act.updateItem(s, itemId, input);
      return `所蔵の状態を「${ITEM_STATUS_LABELS[input.status ?? "available"]}」にしました。`;
    }),
  )
  .post("/admin/counter/material-edit", (c) =>
    onCounter(c, async (f) => {
      const materialId = idOf(field(f, "editMaterialId"));
      if (materialId === undefined) throw new AppError("invalid_request", "資料番号を入力してください。");
      const latest = field(f, "editLatest");
      const patch = parsed(
        parseWith(materialPatchSchema, {
          title: given(f, "editTitle"),
          titleKana: given(f, "editTitleKana"),
          author: given(f, "editAuthor"),
          publisher: given(f, "editPublisher"),
          latestIssue: latest === "" || latest === undefined ? undefined : latest === "1",
        }),
      );
      // Blank fields are not changes (the schema has refused a form with none).
      const changes = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      await act.updateMaterial(staffOf(c), materialId, changes);
      return `資料番号 ${materialId} を修正しました。`;
    }),
  );
