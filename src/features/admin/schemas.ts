// Staff input, validated at the door with Japanese messages.
import * as z from "zod/mini";
import { isValidDate } from "../../domain/calendar";
import { IMPORT_KINDS, ITEM_STATUSES, MATERIAL_TYPES } from "../../domain/codes";
import { jsonId } from "../../validation";
import { cardNumber } from "../account/schemas";
import { isbnField } from "../catalog/schemas";

/** Trimmed text of at least `min` and at most `max` characters. */
const text = (max: number, min = 0, error?: string) =>
  z
    .string()
    .check(z.trim(), z.minLength(min, error ? { error } : {}), z.maxLength(max, { error: `${max}文字以内で入力してください。` }));
const optionalText = (max: number) => z.optional(text(max));
const code = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,20}$/, { error: "館コードは半角英数字20文字以内です。" }));
const date = z.string().check(z.refine(isValidDate, { error: "日付は YYYY-MM-DD で入力してください。" }));

/** A PATCH must name at least one field: an empty one changes nothing and says so. */
const someField = <T extends z.ZodMiniObject>(schema: T) =>
  schema.check(
    z.refine((o) => Object.values(o as object).some((v) => v !== undefined), { error: "変更する項目を指定してください。" }),
  );

/** A branch's contact fields: blank ("") clears one. */
const branchFields = {
  name: text(50, 1, "館名を入力してください。"),
  pickup: z.boolean({ error: "受取館にするかどうかを指定してください。" }),
  address: optionalText(200),
  phone: z.optional(
    z
      .string()
      .check(
        z.trim(),
        z.regex(/^$|^0\d{1,4}-?\d{1,4}-?\d{3,4}$/, { error: "電話番号は半角で 0993-00-1001 のように入力してください。" }),
      ),
  ),
  hours: optionalText(300),
};

export const branchSchema = z.object({ code, ...branchFields });
export const branchPatchSchema = someField(z.partial(z.object(branchFields)));

const materialFields = {
  title: text(500, 1, "書名を入力してください。"),
  titleKana: optionalText(500),
  author: optionalText(300),
  authorKana: optionalText(300),
  publisher: optionalText(200),
  year: z.optional(
    z.int({ error: "出版年が正しくありません。" }).check(z.minimum(0), z.maximum(9999, { error: "出版年が正しくありません。" })),
  ),
  isbn: z.optional(isbnField),
  ndc: z.optional(z.string().check(z.regex(/^\d{1,3}(\.\d{1,4})?$/, { error: "NDCは 913.6 のように入力してください。" }))),
  subject: optionalText(200),
  series: optionalText(200),
  type: z.enum(MATERIAL_TYPES, { error: "資料種別が正しくありません。" }),
  magazineTitle: optionalText(200),
  issueLabel: optionalText(100),
  issueDate: z.optional(date),
  latestIssue: z.optional(z.boolean()),
};

export const materialSchema = z.object(materialFields);
export const materialPatchSchema = someField(z.partial(z.object(materialFields)));

export const itemSchema = z.object({
  materialId: jsonId(),
  branch: code,
  barcode: z.optional(z.string().check(z.regex(/^[A-Za-z0-9-]{1,30}$/, { error: "バーコードは半角英数字30文字以内です。" }))),
  callNumber: optionalText(50),
  loanable: z.boolean({ error: "貸出可（true）か禁帯出（false）かを指定してください。" }),
});

/** Statuses staff may set by hand; 貸出中 and 取置中 come only from lending and setting aside. */
export const SETTABLE_ITEM_STATUSES = ITEM_STATUSES.filter((s) => s !== "on_loan" && s !== "on_hold");

export const itemPatchSchema = someField(
  z.object({
    status: z.optional(
      z
        .enum(ITEM_STATUSES, { error: "状態が正しくありません。" })
        .check(
          z.refine((s) => s !== "on_loan" && s !== "on_hold", { error: "貸出中・取置中は、貸出や取り置きの操作で変わります。" }),
        ),
    ),
    loanable: z.optional(z.boolean()),
    callNumber: optionalText(50),
  }),
);

export const patronSchema = z.object({
  name: text(100, 1, "氏名を入力してください。"),
  nameKana: optionalText(100),
  email: z.pipe(text(254), z.email({ error: "仮のメールアドレスの形式が正しくありません。" })),
  cardNumber: z.optional(cardNumber),
  cardValidUntil: z.optional(date),
});

export const patronPatchSchema = someField(
  z.object({
    webEnabled: z.optional(z.boolean()),
    suspended: z.optional(z.boolean()),
    cardValidUntil: z.optional(z.nullable(date)),
  }),
);

export const counterReservationSchema = z.object({
  cardNumber,
  materialId: jsonId(),
  pickupBranch: code,
});

export const holdSchema = z.object({
  itemId: jsonId(),
  /** Setting aside out of queue order is an explicit override with a reason, kept in the audit log. */
  outOfTurnReason: z.optional(text(200, 1, "順番を飛ばす理由を入力してください。")),
});

export const loanSchema = z.object({
  cardNumber,
  itemId: jsonId(),
  dueDate: z.optional(date),
});

export const calendarSchema = z.object({ open: z.boolean({ error: "開館日（true）か休館日（false）かを指定してください。" }) });

/** A job's business date; a future one is a rehearsal, refused in production by the action (jobs/rehearsal.ts). */
export const jobSchema = z.object({
  date: z.optional(date),
  time: z.optional(z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: "時刻は 08:30 のように入力してください。" }))),
});

const YES_NO = ["", "0", "1", "false", "true", "on"] as const;
const yesNo = z.pipe(
  z.optional(z.enum(YES_NO, { error: "0 か 1 で指定してください。" })),
  z.transform((v: (typeof YES_NO)[number] | undefined) => v === "1" || v === "true" || v === "on"),
);

/** `?kind=…&dryRun=&full=` of an import (API query or upload form). */
export const importSchema = z.object({
  kind: z.enum(IMPORT_KINDS, { error: `種類は ${IMPORT_KINDS.join("・")} のいずれかです。` }),
  dryRun: yesNo,
  full: yesNo,
  name: optionalText(200),
});

/** POST /admin/notices and the staff form: お知らせ shown on the top page from `from` through `until`. */
export const noticeSchema = z
  .object({
    title: text(100, 1, "見出しを入力してください。"),
    body: text(2000, 1, "本文を入力してください。"),
    from: date,
    until: date,
  })
  .check(z.refine((n) => n.from <= n.until, { error: "掲載の終わりは始まり以降の日付にしてください。", path: ["until"] }));
