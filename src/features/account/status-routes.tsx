// 予約状況 and 貸出状況 with what a patron may do there — 取消実行 (confirmed), 予約の変更 (受取館・保留・不要になる日),
// 取置期限の延長, 貸出延長 — as pages and as /api/v1/me/… JSON. Every change goes through the patron's
// Durable Object; the rules are in domain/patron-changes.ts, the writes in reservations/.
import { zValidator } from "@hono/zod-validator";
import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { requireReadyPatron } from "../../auth/middleware";
import { bookmarked } from "../../db/session";
import { tokyoDate, tokyoIso } from "../../domain/calendar";
import { RESERVATION_STATUS_LABELS } from "../../domain/codes";
import { type ChangeRefusal, isSuspended, type RenewalRefusal } from "../../domain/patron-changes";
import { estimatedWait } from "../../domain/queue";
import { isWebCancellable } from "../../domain/reservations";
import type { AppEnv } from "../../env";
import { AppError, invalidRequest, notFound } from "../../errors";
import { patronObject } from "../../objects/patron";
import type { CancelRefusal, CancelResult } from "../../reservations/cancel";
import type { RenewOutcome } from "../../reservations/loans";
import type { ChangeOutcome, ExtendOutcome, PatchField, ReservationPatch } from "../../reservations/patron-changes";
import { type ReservationRow, reservationsOf } from "../../reservations/read";
import { seriesOf } from "../../reservations/series";
import { settingsOf } from "../../settings";
import { parseWith, throwInvalid } from "../../validation";
import { jaDateShort } from "../../views/format";
import { field, fieldAll, idOf, idParam, readForm } from "../../views/forms";
import { reasonOrNull } from "../../views/reasons";
import { branchesFor } from "../catalog/reference";
import { pagePatron } from "./page-patron";
import { loansOf, reservationsPage } from "./queries";
import { cancelSchema, renewSchema, reservationPatchSchema } from "./schemas";
import {
  CancelConfirmPage,
  type ItemOutcome,
  LoansPage,
  ReservationChangePage,
  ReservationsPage,
  type Rules,
} from "./status-views";

const rulesOf = (c: Context<AppEnv>): Rules => {
  const s = settingsOf(c.env);
  return { limit: s.reservationLimit, loanDays: s.loanDays, holdDays: s.holdDays, holdExtendDays: s.holdExtendDays };
};

const CANCEL_REFUSALS: Record<CancelRefusal, string> = {
  on_hold: "お取り置き中の資料は、ホームページから取り消せません。受取館へご連絡ください。",
  not_cancellable: "この予約はすでに終了しているため、取り消せません。",
  not_found: "指定された予約は見つかりませんでした。",
};

function cancelOutcomeMessage(r: CancelResult): string {
  if (!r.ok) return CANCEL_REFUSALS[r.refusal];
  if (r.status === "application_cancelled") return "予約申請を取り消しました（予約申請取消）。";
  return "取消を申請しました（取消申請中）。翌開館日の朝に正式に取り消されます。";
}

/** Why a change of a reservation was refused, by field. */
function changeRefusalText(code: ChangeRefusal | "unknown_branch", field: PatchField, status?: string): string {
  if (code === "unknown_branch") return "指定された受取館はありません。";
  if (code === "date_past") return "今日以降の日付を指定してください。";
  if (code === "date_too_far")
    return field === "suspendedUntil" ? "保留できるのは180日先までです。" : "不要になる日は1年先までで指定してください。";
  if (code === "already_extended") return "取置期限の延長は1回までです。";
  if (status === "on_hold") return "お取り置きの準備ができたため、変更できません。受取館へご連絡ください。";
  return "予約申請中・予約中の予約だけ変更できます。";
}

const EXTEND_REFUSALS = {
  invalid_state: "お取り置き中の予約だけ、取置期限を延長できます。",
  already_extended: "取置期限の延長は1回までです。",
} as const;

export const RENEWAL_REFUSALS: Record<RenewalRefusal, string> = {
  reserved: "ほかの方の予約があるため、延長できません。",
  overdue: "返却期限を過ぎているため、延長できません。お早めにご返却ください。",
  already_renewed: "延長は1冊につき1回までです。",
  suspended: "利用が停止されているため、延長できません。窓口へお問い合わせください。",
  not_yet: "いま延長しても返却期限が延びないため、まだ延長できません。返却期限が近づいてからお試しください。",
};

/** A PATCH body's "" dates as null (lifted). */
const patchOf = (p: {
  pickupBranch?: string;
  suspendedUntil?: string | null;
  notNeededAfter?: string | null;
}): ReservationPatch => ({
  ...(p.pickupBranch !== undefined ? { pickupBranch: p.pickupBranch } : {}),
  ...(p.suspendedUntil !== undefined ? { suspendedUntil: p.suspendedUntil || null } : {}),
  ...(p.notNeededAfter !== undefined ? { notNeededAfter: p.notNeededAfter || null } : {}),
});

/** A refused change as the contract's error: a date's problem names its field; a state is 409. */
function changeError(o: Exclude<ChangeOutcome, { ok: true }>): AppError {
  if (o.code === "not_found") return notFound("指定された予約は見つかりませんでした。");
  if (o.code === "unknown_branch") return invalidRequest({ pickupBranch: changeRefusalText(o.code, "pickupBranch") });
  const text = changeRefusalText(o.code, o.field, o.status);
  if (o.code === "date_past" || o.code === "date_too_far") return invalidRequest({ [o.field]: text }, text);
  return new AppError("invalid_state", text, { status: o.status });
}

const renewWords = (o: RenewOutcome) =>
  o.ok
    ? `延長しました。新しい返却期限は${jaDateShort(o.dueDate)}です。`
    : o.code === "not_found"
      ? "貸出中の資料が見つかりませんでした。"
      : RENEWAL_REFUSALS[o.reason];

const now = () => Date.now();
const at = () => ({ today: tokyoDate(now()), now: now() });

async function reservationsView(
  c: Context<AppEnv>,
  patronId: number,
  extra: { outcomes?: ItemOutcome[]; notice?: string; error?: string } = {},
) {
  const { rows, series, nightly, mailFailure } = await reservationsPage(c.var.d1, patronId);
  return (
    <ReservationsPage
      rows={rows}
      series={series}
      rules={rulesOf(c)}
      asOf={now()}
      nightly={nightly}
      mailFailure={mailFailure}
      {...extra}
    />
  );
}

/** 貸出状況 as of now, with what a renewal just did. */
async function loansView(c: Context<AppEnv>, patronId: number, outcomes?: ItemOutcome[]) {
  return (
    <LoansPage
      rows={await loansOf(c.var.d1, patronId)}
      asOf={now()}
      today={tokyoDate(now())}
      loanDays={settingsOf(c.env).loanDays}
      outcomes={outcomes}
    />
  );
}

/** One of the patron's own reservations, for the change page (none of another patron's). */
async function ownReservation(c: Context<AppEnv>, patronId: number, id: number | undefined): Promise<ReservationRow> {
  const r = id === undefined ? undefined : (await reservationsOf(c.var.d1, patronId)).find((x) => x.id === id);
  if (!r) throw notFound("指定された予約は見つかりませんでした。");
  return r;
}

/** The reservation as the API shows it, 予約順位 explained. */
function reservationJson(c: Context<AppEnv>, r: ReservationRow) {
  const rules = rulesOf(c);
  return {
    id: r.id,
    materialId: r.materialId,
    title: r.title,
    pickupBranch: r.pickupBranch,
    status: r.status,
    statusLabel: RESERVATION_STATUS_LABELS[r.status],
    appliedAt: tokyoIso(r.appliedAt),
    acceptedAt: r.acceptedAt === null ? null : tokyoIso(r.acceptedAt),
    queuePosition: r.queuePosition,
    copiesServing: r.copiesServing,
    estimatedWait: estimatedWait(r.queuePosition, r.copiesServing, rules.loanDays, rules.holdDays),
    holdUntil: r.holdUntil,
    holdExtended: r.holdExtended === 1,
    suspendedUntil: r.suspendedUntil,
    notNeededAfter: r.notNeededAfter,
    cancellable: isWebCancellable(r.status),
    reason: reasonOrNull(r.reasonCode, rules.limit),
  };
}

export const statusPages = new Hono<AppEnv>()
  .get("/account/reservations", async (c) => {
    const { patron, redirect } = pagePatron(c);
    if (redirect) return redirect;
    const changed = idOf(c.req.query("changed"));
    const notice = changed
      ? "予約を変更しました。"
      : c.req.query("unchanged")
        ? "変更する項目がなかったため、そのままにしました。"
        : c.req.query("series") === "1"
          ? "シリーズ予約を登録しました。予約できる件数に空きができると、1点目から順に申請します。"
          : c.req.query("stopped") === "1"
            ? "シリーズ予約の、まだ申請していない分をやめました。"
            : undefined;
    return c.html(await reservationsView(c, patron.id, notice ? { notice } : {}));
  })
  .post("/account/reservations/cancel", async (c) => {
    const { patron, redirect } = pagePatron(c);
    if (redirect) return redirect;
    const form = await readForm(c);
    const parsed = parseWith(cancelSchema, { ids: fieldAll(form, "ids") });
    if (!parsed.ok) return c.html(await reservationsView(c, patron.id, { error: Object.values(parsed.fields)[0] }), 400);
    // First the confirmation (取り消してよいか); only its own form, with confirmed=1, cancels.
    if (field(form, "confirmed") !== "1") {
      const ticked = (await reservationsOf(c.var.d1, patron.id)).filter((r) => parsed.data.ids.includes(r.id));
      if (ticked.length === 0) return c.html(await reservationsView(c, patron.id, { error: CANCEL_REFUSALS.not_found }), 404);
      return c.html(<CancelConfirmPage rows={ticked} />);
    }
    const results = await bookmarked(
      c,
      patronObject(c.env, patron.cardNumber).cancel(patron.id, parsed.data.ids, now(), rulesOf(c).limit),
    );
    const rows = await reservationsOf(c.var.d1, patron.id);
    const titles = new Map(rows.map((r) => [r.id, r.title]));
    const outcomes = results.map((r) => ({
      title: titles.get(r.id) ?? `予約 ${r.id}`,
      ok: r.ok,
      message: cancelOutcomeMessage(r),
    }));
    return c.html(await reservationsView(c, patron.id, { outcomes }));
  })
  .get("/account/reservations/:id", async (c) => {
    const { patron, redirect } = pagePatron(c);
    if (redirect) return redirect;
    const [r, branches] = await Promise.all([ownReservation(c, patron.id, idOf(c.req.param("id"))), branchesFor(c)]);
    return c.html(
      <ReservationChangePage r={r} pickupBranches={branches.filter((b) => b.pickup)} today={tokyoDate(now())} errors={{}} />,
    );
  })
  .post("/account/reservations/:id", async (c) => {
    const { patron, redirect } = pagePatron(c);
    if (redirect) return redirect;
    const id = idOf(c.req.param("id"));
    const [current, form] = await Promise.all([ownReservation(c, patron.id, id), readForm(c)]);
    // The form sends every field: only those that differ from the reservation are changes (an ended
    // suspension or a branch no longer offered is not sent back as one).
    const sent = {
      pickupBranch: field(form, "pickupBranch"),
      suspendedUntil: field(form, "suspendedUntil") ?? "",
      notNeededAfter: field(form, "notNeededAfter") ?? "",
    };
    const changed = {
      ...(sent.pickupBranch !== undefined && sent.pickupBranch !== current.pickupBranch
        ? { pickupBranch: sent.pickupBranch }
        : {}),
      ...(sent.suspendedUntil !== (isSuspended(current.suspendedUntil, tokyoDate(now())) ? current.suspendedUntil : "")
        ? { suspendedUntil: sent.suspendedUntil }
        : {}),
      ...(sent.notNeededAfter !== (current.notNeededAfter ?? "") ? { notNeededAfter: sent.notNeededAfter } : {}),
    };
    if (Object.keys(changed).length === 0) return c.redirect(`/account/reservations?unchanged=${current.id}`, 303);
    const parsed = parseWith(reservationPatchSchema, changed);
    const outcome = parsed.ok
      ? await bookmarked(c, patronObject(c.env, patron.cardNumber).change(patron.id, current.id, patchOf(parsed.data), at()))
      : undefined;
    if (outcome?.ok) return c.redirect(`/account/reservations?changed=${current.id}`, 303);
    const branches = await branchesFor(c);
    const field_ =
      outcome && !outcome.ok && outcome.code !== "not_found"
        ? outcome.code === "unknown_branch"
          ? "pickupBranch"
          : outcome.field
        : undefined;
    const errors = !parsed.ok
      ? parsed.fields
      : outcome && !outcome.ok && outcome.code !== "not_found" && field_
        ? { [field_]: changeRefusalText(outcome.code, field_, "status" in outcome ? outcome.status : undefined) }
        : {};
    const status = outcome && !outcome.ok && outcome.code === "invalid_state" ? 409 : 400;
    return c.html(
      <ReservationChangePage
        r={current}
        pickupBranches={branches.filter((b) => b.pickup)}
        today={tokyoDate(now())}
        errors={errors}
        message={Object.values(errors)[0]}
      />,
      status,
    );
  })
  .post("/account/reservations/:id/extend-hold", async (c) => {
    const { patron, redirect } = pagePatron(c);
    if (redirect) return redirect;
    const id = idOf(c.req.param("id")) ?? 0;
    const outcome = await extend(c, patron, id);
    if (outcome.ok)
      return c.html(
        await reservationsView(c, patron.id, { notice: `取置期限を${jaDateShort(outcome.holdUntil)}まで延長しました。` }),
      );
    const error = outcome.code === "not_found" ? CANCEL_REFUSALS.not_found : EXTEND_REFUSALS[outcome.code];
    return c.html(await reservationsView(c, patron.id, { error }), outcome.code === "not_found" ? 404 : 409);
  })
  .post("/account/series/:id/stop", async (c) => {
    const { patron, redirect } = pagePatron(c);
    if (redirect) return redirect;
    const outcome = await stop(c, patron, idOf(c.req.param("id")));
    if (outcome === "not_found")
      return c.html(await reservationsView(c, patron.id, { error: "指定されたシリーズ予約は見つかりませんでした。" }), 404);
    return c.redirect("/account/reservations?stopped=1", 303);
  })
  .get("/account/loans", async (c) => {
    const { patron, redirect } = pagePatron(c);
    if (redirect) return redirect;
    return c.html(await loansView(c, patron.id));
  })
  .post("/account/loans/renew", async (c) => {
    const { patron, redirect } = pagePatron(c);
    if (redirect) return redirect;
    const form = await readForm(c);
    const parsed = parseWith(renewSchema, { itemIds: fieldAll(form, "itemIds") });
    if (!parsed.ok)
      return c.html(
        await loansView(c, patron.id, [{ title: "延長", ok: false, message: Object.values(parsed.fields)[0] ?? "" }]),
        400,
      );
    const titles = new Map((await loansOf(c.var.d1, patron.id)).map((l) => [l.itemId, l.title]));
    const results = await renew(c, patron, parsed.data.itemIds);
    const outcomes = results.map((o) => ({
      title: titles.get(o.itemId) ?? `資料 ${o.itemId}`,
      ok: o.ok,
      message: renewWords(o),
    }));
    return c.html(await loansView(c, patron.id, outcomes));
  });

const extend = (c: Context<AppEnv>, patron: { id: number; cardNumber: string }, id: number): Promise<ExtendOutcome> =>
  bookmarked(
    c,
    patronObject(c.env, patron.cardNumber).extendHold(patron.id, id, {
      extendDays: settingsOf(c.env).holdExtendDays,
      ...at(),
    }),
  );

const stop = (c: Context<AppEnv>, patron: { id: number; cardNumber: string }, id: number | undefined) =>
  id === undefined
    ? Promise.resolve("not_found" as const)
    : bookmarked(c, patronObject(c.env, patron.cardNumber).stopSeries(patron.id, id, now()));

const renew = (c: Context<AppEnv>, patron: { id: number; cardNumber: string }, itemIds: number[]) =>
  bookmarked(
    c,
    patronObject(c.env, patron.cardNumber).renew(patron.id, itemIds, { ...at(), loanDays: settingsOf(c.env).loanDays }),
  );

export const statusApi = new Hono<AppEnv>()
  .get("/me/reservations", async (c) => {
    const patron = requireReadyPatron(c);
    const { rows, nightly, mailFailure } = await reservationsPage(c.var.d1, patron.id);
    return c.json({
      asOf: tokyoIso(now()),
      lastRefreshedAt: nightly === null ? null : tokyoIso(nightly),
      // The latest mail to the patron's address did not arrive (refused or bounced): when.
      mailFailedAt: mailFailure ? tokyoIso(mailFailure.failedAt) : null,
      items: rows.map((r) => reservationJson(c, r)),
    });
  })
  .post("/me/reservations/cancel", zValidator("json", cancelSchema, throwInvalid), async (c) => {
    const patron = requireReadyPatron(c);
    const results = await bookmarked(
      c,
      patronObject(c.env, patron.cardNumber).cancel(patron.id, c.req.valid("json").ids, now(), rulesOf(c).limit),
    );
    return c.json({
      results: results.map((r) => ({
        id: r.id,
        ok: r.ok,
        status: r.status ?? null,
        ...(r.ok
          ? {}
          : { error: { code: r.refusal === "not_found" ? "not_found" : "invalid_state", message: CANCEL_REFUSALS[r.refusal] } }),
      })),
    });
  })
  .patch("/me/reservations/:id", zValidator("json", reservationPatchSchema, throwInvalid), async (c) => {
    const patron = requireReadyPatron(c);
    const id = idParam(c);
    const outcome = await bookmarked(
      c,
      patronObject(c.env, patron.cardNumber).change(patron.id, id, patchOf(c.req.valid("json")), at()),
    );
    if (!outcome.ok) throw changeError(outcome);
    const r = (await reservationsOf(c.var.d1, patron.id)).find((x) => x.id === id);
    return c.json(r ? reservationJson(c, r) : { id, ...outcome });
  })
  .post("/me/reservations/:id/extend-hold", async (c) => {
    const patron = requireReadyPatron(c);
    const outcome = await extend(c, patron, idParam(c));
    if (outcome.ok) return c.json({ holdUntil: outcome.holdUntil });
    if (outcome.code === "not_found") throw notFound(CANCEL_REFUSALS.not_found);
    throw new AppError("invalid_state", EXTEND_REFUSALS[outcome.code], { status: outcome.status });
  })
  .get("/me/series", async (c) => {
    const patron = requireReadyPatron(c);
    const all = await seriesOf(c.var.d1, patron.id);
    return c.json({
      items: all.map((s) => ({
        id: s.id,
        mode: s.mode,
        pickupBranch: s.pickupBranch,
        createdAt: tokyoIso(s.createdAt),
        stoppedAt: s.stoppedAt === null ? null : tokyoIso(s.stoppedAt),
        items: s.items.map((i) => ({
          position: i.position,
          materialId: i.materialId,
          title: i.title,
          reservationId: i.reservationId,
          status: i.status,
          skipped: i.skippedReason !== null,
        })),
      })),
    });
  })
  .delete("/me/series/:id", async (c) => {
    const patron = requireReadyPatron(c);
    if ((await stop(c, patron, idOf(c.req.param("id")))) === "not_found")
      throw notFound("指定されたシリーズ予約は見つかりませんでした。");
    return c.body(null, 204);
  })
  .get("/me/loans", async (c) => {
    const patron = requireReadyPatron(c);
    const today = tokyoDate(now());
    const rows = await loansOf(c.var.d1, patron.id);
    return c.json({
      asOf: tokyoIso(now()),
      items: rows.map((l) => ({
        itemId: l.itemId,
        materialId: l.materialId,
        title: l.title,
        loanedAt: tokyoIso(l.loanedAt),
        dueDate: l.dueDate,
        overdue: l.dueDate < today,
        renewed: l.renewed === 1,
      })),
    });
  })
  .post("/me/loans/:itemId/renew", async (c) => {
    const patron = requireReadyPatron(c);
    const itemId = idOf(c.req.param("itemId"));
    if (itemId === undefined) throw notFound("貸出中の資料が見つかりませんでした。");
    const [o] = await renew(c, patron, [itemId]);
    if (!o || (!o.ok && o.code === "not_found")) throw notFound("貸出中の資料が見つかりませんでした。");
    if (!o.ok) throw new AppError("not_renewable", RENEWAL_REFUSALS[o.reason], { reason: o.reason });
    return c.json({ itemId, dueDate: o.dueDate });
  });
