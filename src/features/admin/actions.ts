// What staff can do, shared by the staff API and the staff pages. Each action takes the acting staff
// member (with the database and settings) and validated input, calls the lifecycle room or the admin
// queries, audits, and puts a refusal into the contract's typed error. No Hono context, no HTTP.

import type { z } from "zod";
import { hashPassword } from "../../auth/password";
import { endPatronSessions } from "../../auth/sessions";
import { pepperOf } from "../../config";
import type { D1, Db } from "../../db/client";
import { tokyoDate, tokyoIso } from "../../domain/calendar";
import { newPasswordProblem } from "../../domain/password-policy";
import { AppError, invalidRequest, notFound } from "../../errors";
import { jobClock, staffNow } from "../../jobs/rehearsal";
import { runJob } from "../../jobs/run";
import { scheduleOf } from "../../jobs/schedule";
import { requestMail } from "../../mail/notify";
import { patronObject } from "../../objects/patron";
import { staffCancel } from "../../reservations/cancel";
import { type CopyPatch, changeCopy, setAside } from "../../reservations/holds";
import { returnLoan as closeLoan, lend as lendCopy, openLoanOfItem } from "../../reservations/loans";
import type { Settings } from "../../settings";
import { listBranches } from "../catalog/queries";
import { audit } from "./audit";
import {
  deleteNotice,
  enableWebUse,
  insertBranch,
  insertItem,
  insertMaterial,
  insertNotice,
  itemIdByBarcode,
  type PatronPatch,
  patchMaterial,
  patchPatron,
  patronByCard,
  setTemporaryPassword,
  updateBranch,
  upsertOpeningDay,
} from "./queries";
import type {
  branchPatchSchema,
  branchSchema,
  counterReservationSchema,
  itemSchema,
  loanSchema,
  materialPatchSchema,
  materialSchema,
  noticeSchema,
  patronSchema,
} from "./schemas";

/** The staff member acting, with what every action needs. */
export interface Staff {
  actor: string;
  db: D1;
  orm: Db;
  env: Env;
  settings: Settings;
}

const TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679";

/** A temporary password the counter hands out: 8 unambiguous letters and digits, never a guessable one. */
function temporaryPassword(cardNumber: string): string {
  for (;;) {
    const bytes = crypto.getRandomValues(new Uint8Array(8));
    const pw = [...bytes].map((b) => TEMP_ALPHABET[b % TEMP_ALPHABET.length]).join("");
    if (/\d/.test(pw) && /[a-zA-Z]/.test(pw) && !newPasswordProblem(pw, { cardNumber })) return pw;
  }
}

const record = (s: Staff, action: string, target: { type: string; id: string | number }, detail?: Record<string, unknown>) =>
  audit(s.orm, s.actor, action, target, detail);

async function patronOf(s: Staff, card: string) {
  const patron = await patronByCard(s.db, card);
  if (!patron) throw notFound("その利用者番号の利用者は登録されていません。");
  return patron;
}

export async function itemOfBarcode(s: Staff, barcode: string): Promise<number> {
  const id = await itemIdByBarcode(s.db, barcode);
  if (id === undefined) throw notFound("そのバーコードの所蔵は見つかりませんでした。");
  return id;
}

/** Registers a patron's web use: card number, temporary password (returned once) and temporary e-mail. */
export async function registerPatron(s: Staff, p: z.output<typeof patronSchema>) {
  const card = p.cardNumber ?? `21${String((crypto.getRandomValues(new Uint32Array(1))[0] ?? 0) % 1e8).padStart(8, "0")}`;
  const temp = temporaryPassword(card);
  const id = await enableWebUse(
    s.db,
    {
      card,
      name: p.name,
      nameKana: p.nameKana ?? null,
      email: p.email,
      passwordHash: await hashPassword(temp, pepperOf(s.env)),
      cardValidUntil: p.cardValidUntil ?? null,
    },
    Date.now(),
  );
  if (id === undefined)
    throw new AppError(
      "invalid_state",
      "その利用者番号はすでにインターネット予約を利用しています。パスワードを忘れた場合は再発行してください。",
    );
  await record(s, "patron.register_web", { type: "patron", id });
  // The temporary password is shown once, here, and kept nowhere readable.
  return { cardNumber: card, temporaryPassword: temp };
}

/** A forgotten password: a new temporary one (returned once), every session ended. */
export async function resetPassword(s: Staff, cardNumber: string) {
  const patron = await patronOf(s, cardNumber);
  const temp = temporaryPassword(patron.cardNumber);
  await setTemporaryPassword(s.db, patron.id, await hashPassword(temp, pepperOf(s.env)), Date.now());
  await endPatronSessions(s.orm, patron.id);
  await record(s, "patron.reset_password", { type: "patron", id: patron.id });
  return { temporaryPassword: temp };
}

/** Web use on or off, suspension, card validity; stopping ends the patron's sessions. */
export async function updatePatron(s: Staff, cardNumber: string, p: PatronPatch) {
  const patron = await patronOf(s, cardNumber);
  await patchPatron(s.db, patron.id, p, Date.now());
  if (p.webEnabled === false || p.suspended === true) await endPatronSessions(s.orm, patron.id);
  await record(s, "patron.update", { type: "patron", id: patron.id }, { ...p });
  return { cardNumber: patron.cardNumber };
}

/** A counter reservation: 予約中 at once, through the patron's Durable Object and its limit. */
export async function counterReservation(s: Staff, r: z.output<typeof counterReservationSchema>) {
  const patron = await patronOf(s, r.cardNumber);
  const { value: outcome } = await patronObject(s.env, patron.cardNumber).apply({
    patronId: patron.id,
    items: [{ materialId: r.materialId, pickupBranch: r.pickupBranch }],
    source: "counter",
    now: Date.now(),
    limit: s.settings.reservationLimit,
  });
  if (!outcome.ok) {
    switch (outcome.code) {
      case "quota_exceeded":
        throw new AppError("quota_exceeded", `予約できる冊数を超えています（あと${outcome.remaining}件）。`, {
          remaining: outcome.remaining,
        });
      case "not_reservable":
        throw new AppError("not_reservable", "この資料は予約できません。");
      case "already_reserved":
        throw new AppError("already_reserved", "この利用者はすでにこの資料を予約しています。");
      case "forbidden":
        throw new AppError("forbidden", "この利用者は利用停止中か、カードの有効期限が切れています。");
      case "invalid_request":
        throw invalidRequest({ pickupBranch: "受取館が正しくありません。" });
    }
  }
  const made = outcome.reservations[0];
  await record(s, "reservation.counter", { type: "reservation", id: made?.id ?? 0 });
  return {
    id: made?.id,
    materialId: made?.materialId,
    status: "reserved" as const,
    pickupBranch: made?.pickupBranch,
    appliedAt: tokyoIso(made?.appliedAt ?? Date.now()),
  };
}

const LEND_REFUSALS = {
  item_not_found: () => notFound("指定された所蔵は見つかりませんでした。"),
  reading_room_only: () => new AppError("invalid_state", "禁帯出の所蔵は貸し出せません。"),
  held_for_another: () => new AppError("invalid_state", "この所蔵は別の利用者のお取り置きです。"),
  not_on_shelf: () => new AppError("invalid_state", "この所蔵はいま貸し出せる状態ではありません。"),
  changed: () => new AppError("invalid_state", "この所蔵の状態が変わりました。画面を開き直してください。"),
} as const;

/** A loan at the counter; collecting the copy set aside for this patron fulfils that reservation. */
export async function lend(s: Staff, l: z.output<typeof loanSchema>) {
  const patron = await patronOf(s, l.cardNumber);
  const now = await staffNow(s.env, s.db);
  const outcome = await lendCopy(s.db, {
    patronId: patron.id,
    itemId: l.itemId,
    ...(l.dueDate ? { dueDate: l.dueDate } : {}),
    now,
    today: tokyoDate(now),
    loanDays: s.settings.loanDays,
  });
  if (!outcome.ok) throw LEND_REFUSALS[outcome.code]();
  await record(s, "loan.create", { type: "loan", id: outcome.loanId });
  // A collected volume of a シリーズ予約 (読みたい順) lets the next one be applied now, in the patron's object.
  await patronObject(s.env, l.cardNumber).advanceSeries(patron.id, { now, limit: s.settings.reservationLimit });
  return { id: outcome.loanId, dueDate: outcome.dueDate };
}

/** A return by loan id: the loan closes and the copy goes back on the shelf. */
export async function returnLoan(s: Staff, loanId: number) {
  if ((await closeLoan(s.db, loanId, Date.now())) === "not_found") throw notFound("返却されていない貸出が見つかりませんでした。");
  await record(s, "loan.return", { type: "loan", id: loanId });
  return { id: loanId, returned: true };
}

/** A return by the copy's barcode (the counter page). */
export async function returnByBarcode(s: Staff, barcode: string) {
  const loanId = await openLoanOfItem(s.db, await itemOfBarcode(s, barcode));
  if (loanId === undefined) throw new AppError("invalid_state", "この資料は貸出中ではありません。");
  return returnLoan(s, loanId);
}

/** Marks a date as an opening day or a closed day in the library calendar. */
export async function setOpeningDay(s: Staff, date: string, open: boolean): Promise<void> {
  await upsertOpeningDay(s.db, date, open);
  await record(s, "calendar.set", { type: "date", id: date }, { open });
}

export async function createBranch(s: Staff, b: z.output<typeof branchSchema>) {
  if (!(await insertBranch(s.db, b))) throw new AppError("invalid_state", "その館コードはすでに登録されています。");
  await record(s, "branch.create", { type: "branch", id: b.code });
  return b;
}

/** お知らせ for the top page, shown from `from` through `until`. */
export async function createNotice(s: Staff, n: z.output<typeof noticeSchema>) {
  const id = await insertNotice(s.db, n);
  await record(s, "notice.create", { type: "notice", id }, { from: n.from, until: n.until });
  return { id };
}

export async function removeNotice(s: Staff, id: number) {
  if (!(await deleteNotice(s.db, id))) throw notFound("指定されたお知らせは見つかりませんでした。");
  await record(s, "notice.delete", { type: "notice", id });
}

/** A branch's name, pickup flag, address, phone or hours (only the given fields). */
export async function changeBranch(s: Staff, code: string, patch: z.output<typeof branchPatchSchema>) {
  if (!(await updateBranch(s.db, code, patch))) throw notFound("指定された館は見つかりませんでした。");
  await record(s, "branch.update", { type: "branch", id: code }, { fields: Object.keys(patch) });
  const branch = (await listBranches(s.orm)).find((b) => b.code === code);
  return branch ?? { code };
}

/** A new material; its search row is written in the same batch, so search finds it at once. */
export async function createMaterial(s: Staff, m: z.output<typeof materialSchema>) {
  const id = await insertMaterial(s.db, m);
  await record(s, "material.create", { type: "material", id });
  return { id };
}

/** Corrects a material's record (only the given fields); the search row follows in the same batch. */
export async function updateMaterial(s: Staff, materialId: number, patch: z.output<typeof materialPatchSchema>) {
  if (!(await patchMaterial(s.db, materialId, patch))) throw notFound("指定された資料は見つかりませんでした。");
  await record(s, "material.update", { type: "material", id: materialId }, { fields: Object.keys(patch) });
  return { id: materialId };
}

/** A new copy of a material at a branch; `loanable: false` is 禁帯出. */
export async function createItem(s: Staff, it: z.output<typeof itemSchema>) {
  const barcode = it.barcode ?? `T${Date.now().toString(36).toUpperCase()}${crypto.getRandomValues(new Uint16Array(1))[0] ?? 0}`;
  const id = await insertItem(s.db, { ...it, barcode, callNumber: it.callNumber ?? null });
  if (id === undefined) throw invalidRequest({ barcode: "資料・館が見つからないか、バーコードがすでに使われています。" });
  await record(s, "item.create", { type: "item", id });
  return { id, barcode };
}

/** A copy's status (行方不明, 破損, 除籍 …), 禁帯出 or call number. */
export async function updateItem(s: Staff, itemId: number, p: CopyPatch) {
  const outcome = await changeCopy(s.db, itemId, p, Date.now());
  if (outcome === "not_found") throw notFound("指定された所蔵は見つかりませんでした。");
  if (outcome === "on_loan") throw new AppError("invalid_state", "貸出中の所蔵です。返却してから状態を変えてください。");
  await record(s, "item.update", { type: "item", id: itemId }, { ...p });
  return { id: itemId };
}

/**
 * Sets a copy aside for a 予約中 reservation (お取り置き) with a deadline counted in opening days, and asks
 * the mail queue for the hold-ready mail. Returns the deadline.
 */
export async function holdCopy(s: Staff, reservationId: number, itemId: number, outOfTurnReason?: string): Promise<string> {
  const now = await staffNow(s.env, s.db);
  const outcome = await setAside(s.db, reservationId, itemId, {
    now,
    today: tokyoDate(now),
    holdDays: s.settings.holdDays,
    outOfTurn: outOfTurnReason !== undefined,
  });
  if (!outcome.ok) {
    if (outcome.code === "not_found") throw notFound("指定された予約は見つかりませんでした。");
    if (outcome.code === "not_waiting") throw new AppError("invalid_state", "予約中の予約だけをお取り置きにできます。");
    if (outcome.code === "suspended")
      throw new AppError("invalid_state", "この予約は利用者の希望で保留中です。次に待っている予約に取り置いてください。");
    if (outcome.code === "not_first_in_queue")
      throw new AppError(
        "invalid_state",
        `この予約は予約順位${outcome.position}番です。取り置ける所蔵は${outcome.freeCopies}冊のため、先に予約した利用者に取り置いてください。`,
        { position: outcome.position, freeCopies: outcome.freeCopies },
      );
    throw new AppError("invalid_state", "その所蔵はこの資料の貸出可能な在架の所蔵ではありません。");
  }
  await record(
    s,
    "reservation.hold",
    { type: "reservation", id: reservationId },
    outOfTurnReason === undefined ? { itemId } : { itemId, outOfTurn: true, reason: outOfTurnReason },
  );
  // The hold-ready mail goes through the mail queue (sent only when the patron chose メール).
  await requestMail(s.env, [
    { type: "notify", kind: "hold_ready", reservationIds: [reservationId], baseUrl: s.settings.baseUrl },
  ]);
  return outcome.holdUntil;
}

/** A staff cancellation of an active reservation (a copy set aside goes back to the shelf). */
export async function cancelReservation(s: Staff, reservationId: number) {
  const outcome = await staffCancel(s.db, reservationId, Date.now());
  if (outcome === "not_found") throw notFound("指定された予約は見つかりませんでした。");
  if (outcome === "finished") throw new AppError("invalid_state", "この予約はすでに終了しています。");
  if (outcome === "changed") throw new AppError("invalid_state", "この予約の状態が変わりました。画面を開き直してください。");
  await record(s, "reservation.cancel", { type: "reservation", id: reservationId });
  return { id: reservationId, status: "cancelled" as const };
}

/**
 * Runs a job by hand for a date: today or earlier now, a later one (outside production only) as that
 * date's cron would run it (jobs/rehearsal.ts).
 */
export async function runJobByHand(s: Staff, job: "acceptance" | "nightly", request: { date?: string; time?: string }) {
  const clock = jobClock(s.env, scheduleOf(s.env), job, request, Date.now());
  const options = { date: clock.businessDate, slot: clock.slot, now: clock.now };
  const summary = job === "acceptance" ? await runJob(s.env, "acceptance", options) : await runJob(s.env, "nightly", options);
  await record(
    s,
    `job.${job}`,
    { type: "job", id: summary.businessDate },
    clock.rehearsal ? { rehearsal: true, slot: clock.slot } : undefined,
  );
  return clock.rehearsal ? { ...summary, rehearsal: true } : summary;
}
