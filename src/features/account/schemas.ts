// Login, credential change and cancellation input, with the messages patrons see.
import * as z from "zod/mini";
import { isValidDate } from "../../domain/calendar";
import { SERIES_MAX_ITEMS, SERIES_MODES } from "../../domain/series";
import { positiveInt } from "../../validation";

/** Card numbers as printed on the card; full-width digits typed on a phone are accepted. */
export const cardNumber = z.pipe(
  z.pipe(
    z.string({ error: "利用者番号を入力してください。" }),
    z.transform((v: string) => v.normalize("NFKC").replace(/[\s-]/g, "")),
  ),
  z.string().check(z.regex(/^[0-9A-Za-z]{1,20}$/, { error: "利用者番号は、カードに印字された番号を入力してください。" })),
);

const password = z
  .string({ error: "パスワードを入力してください。" })
  .check(z.minLength(1, { error: "パスワードを入力してください。" }), z.maxLength(64, { error: "パスワードが長すぎます。" }));

export const loginSchema = z.object({ cardNumber, password });

/** The new credentials of 個人情報変更 (first login and the API's PUT /me/credentials). */
const newCredentials = {
  email: z.pipe(
    z
      .string({ error: "メールアドレスを入力してください。" })
      .check(z.trim(), z.maxLength(254, { error: "メールアドレスが長すぎます。" })),
    z.email({ error: "メールアドレスの形式が正しくありません。" }),
  ),
  emailConfirm: z.string({ error: "確認のため、メールアドレスをもう一度入力してください。" }).check(z.trim()),
  password: z
    .string({ error: "新しいパスワードを入力してください。" })
    .check(z.regex(/^[A-Za-z0-9]{4,8}$/, { error: "パスワードは半角英数字4〜8文字で入力してください。" })),
  passwordConfirm: z.string({ error: "確認のため、新しいパスワードをもう一度入力してください。" }),
  contactMethod: z.enum(["mail", "none"], { error: "連絡方法を選んでください。" }),
};
type Confirmed = { email: string; emailConfirm: string; password: string; passwordConfirm: string };
const confirmations = [
  z.refine((v: unknown) => (v as Confirmed).email === (v as Confirmed).emailConfirm, {
    error: "確認用のメールアドレスが一致しません。",
    path: ["emailConfirm"],
  }),
  z.refine((v: unknown) => (v as Confirmed).password === (v as Confirmed).passwordConfirm, {
    error: "確認用のパスワードが一致しません。",
    path: ["passwordConfirm"],
  }),
] as const;

export const credentialsSchema = z.object({ currentPassword: password, ...newCredentials }).check(...confirmations);

/** The first-login change moments after the login: the temporary password was just typed (auth/sessions.ts). */
export const freshLoginCredentialsSchema = z.object(newCredentials).check(...confirmations);

/** PUT /me/contact and the 連絡方法 form: the contact method, and a new e-mail address only when given (twice). */
export const contactSchema = z
  .object({
    currentPassword: password,
    contactMethod: z.enum(["mail", "none"], { error: "連絡方法を選んでください。" }),
    email: z.optional(
      z.pipe(
        z.string().check(z.trim(), z.maxLength(254, { error: "メールアドレスが長すぎます。" })),
        z.union([z.literal(""), z.email({ error: "メールアドレスの形式が正しくありません。" })]),
      ),
    ),
    emailConfirm: z.optional(z.string().check(z.trim())),
  })
  .check(
    z.refine((v) => !v.email || v.email === v.emailConfirm, {
      error: "確認用のメールアドレスが一致しません。",
      path: ["emailConfirm"],
    }),
  );
export type ContactInput = Omit<z.output<typeof contactSchema>, "email"> & { email?: string };

/** The password form: the current one and the new one twice (the policy is checked by the action). */
export const passwordChangeSchema = z
  .object({
    currentPassword: password,
    password: z
      .string({ error: "新しいパスワードを入力してください。" })
      .check(z.regex(/^[A-Za-z0-9]{4,8}$/, { error: "パスワードは半角英数字4〜8文字で入力してください。" })),
    passwordConfirm: z.string({ error: "確認のため、新しいパスワードをもう一度入力してください。" }),
  })
  .check(
    z.refine((v) => v.password === v.passwordConfirm, { error: "確認用のパスワードが一致しません。", path: ["passwordConfirm"] }),
  );

export const reservationIds = z
  .array(positiveInt("予約の指定が正しくありません。"), { error: "取り消す予約を選んでください。" })
  .check(
    z.minLength(1, { error: "取り消す予約を選んでください。" }),
    z.maxLength(50, { error: "一度に取り消せるのは50件までです。" }),
  );

export const cancelSchema = z.object({ ids: reservationIds });

const branchCode = z
  .string({ error: "受取館を選んでください。" })
  .check(z.regex(/^[A-Za-z0-9_-]{1,20}$/, { error: "受取館を選んでください。" }));

export const materialRef = z.object({
  materialId: positiveInt("資料の指定が正しくありません。"),
  pickupBranch: branchCode,
});

/** The page's add form: from the result list the pickup branch is left to the cart (the one offered first). */
export const cartFormItem = z.object({
  materialId: positiveInt("資料の指定が正しくありません。"),
  pickupBranch: z.optional(branchCode),
});

/** A date field that may be cleared: "YYYY-MM-DD", or null / "" for none. */
const clearableDate = z.optional(
  z.nullable(
    z.union([z.literal(""), z.string().check(z.refine(isValidDate, { error: "日付は 2026-12-10 のように指定してください。" }))]),
  ),
);

/** PATCH /me/reservations/:id and the 予約の変更 form: 受取館変更, 予約の保留, 不要になる日. */
export const reservationPatchSchema = z
  .object({ pickupBranch: z.optional(branchCode), suspendedUntil: clearableDate, notNeededAfter: clearableDate })
  .check(
    z.refine((v) => v.pickupBranch !== undefined || v.suspendedUntil !== undefined || v.notNeededAfter !== undefined, {
      error: "変更する項目を指定してください。",
      path: ["pickupBranch"],
    }),
  );

/** 「すべて延長」 and each loan's 延長: the copies (item ids) to renew. */
export const renewSchema = z.object({
  itemIds: z
    .array(positiveInt("資料の指定が正しくありません。"), { error: "延長する資料を選んでください。" })
    .check(
      z.minLength(1, { error: "延長する資料を選んでください。" }),
      z.maxLength(50, { error: "一度に延長できるのは50件までです。" }),
    ),
});

/** POST /me/series: the volumes in order (2 to 20 different materials), one pickup branch, and how. */
export const seriesSchema = z.object({
  items: z
    .array(z.object({ materialId: positiveInt("資料の指定が正しくありません。") }), { error: "資料を順番に指定してください。" })
    .check(
      z.minLength(2, { error: "シリーズ予約には2点以上の資料を指定してください。" }),
      z.maxLength(SERIES_MAX_ITEMS, { error: `シリーズ予約は${SERIES_MAX_ITEMS}点までです。` }),
      z.refine((items) => new Set(items.map((i) => i.materialId)).size === items.length, {
        error: "同じ資料が2回指定されています。",
      }),
    ),
  pickupBranch: branchCode,
  mode: z.enum(SERIES_MODES, { error: "申請のしかた（in_order か together）を指定してください。" }),
});

/** The confirmation's 申請のしかた: each as usual, 読みたい順 (in order), or まとめて受け取る (together). */
export const applyModeSchema = z.optional(z.union([z.literal(""), z.enum(SERIES_MODES)]));

/** PUT /me/preferences and the 初期値設定 form: the default pickup branch (null or "" for none) and mail without titles. */
export const preferencesSchema = z
  .object({
    defaultPickupBranch: z.optional(z.nullable(z.union([z.literal(""), branchCode]))),
    mailWithoutTitles: z.optional(z.boolean({ error: "メールに資料名を書くかどうかを指定してください。" })),
    remindDue: z.optional(z.boolean({ error: "返却期限のお知らせを希望するかどうか（true か false）を指定してください。" })),
    remindOverdue: z.optional(z.boolean({ error: "延滞のお知らせを希望するかどうか（true か false）を指定してください。" })),
    remindHold: z.optional(z.boolean({ error: "取置期限のお知らせを希望するかどうか（true か false）を指定してください。" })),
  })
  .check(
    z.refine((v) => Object.values(v).some((x) => x !== undefined), {
      error: "変更する項目を指定してください。",
      path: ["defaultPickupBranch"],
    }),
  );

export const applySchema = z.object({ cardNumber: z.optional(cardNumber), password: z.optional(password) }).check(
  z.refine((v) => (v.cardNumber === undefined) === (v.password === undefined), {
    error: "利用者番号とパスワードの両方を入力してください。",
    path: ["password"],
  }),
);

/**
 * A path on this site to go back to after login, never another site: only plain path and query
 * characters (no control characters or backslashes, which browsers strip or turn into "//host").
 */
export const localPath = (next: unknown): string | undefined =>
  typeof next === "string" && /^\/(?!\/)[A-Za-z0-9\-._~%!$&'()*+,;=:@/?]*$/.test(next) ? next : undefined;

/** PUT /me/reading-record: turn 読書記録 on or off (off deletes it). */
export const readingRecordSchema = z.object({
  enabled: z.boolean({ error: "読書記録を記録するかどうか（true か false）を指定してください。" }),
});
