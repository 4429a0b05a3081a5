// Staff input, validated at the door with Japanese messages.
import { z } from "zod";
import { isValidDate, tokyoDate } from "../../domain/calendar";
import { IMPORT_KINDS, ITEM_STATUSES, MATERIAL_TYPES } from "../../domain/codes";
import { cardNumber } from "../account/schemas";
import { isbnField } from "../catalog/schemas";

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { error: `${max}文字以内で入力してください。` })
    .optional();
const code = z.string().regex(/^[A-Za-z0-9_-]{1,20}$/, { error: "館コードは半角英数字20文字以内です。" });
const date = z.string().refine(isValidDate, { error: "日付は YYYY-MM-DD で入力してください。" });

export const branchSchema = z.object({
  code,
  name: z.string().trim().min(1, { error: "館名を入力してください。" }).max(50),
  pickup: z.boolean({ error: "受取館にするかどうかを指定してください。" }),
});

const materialFields = {
  title: z.string().trim().min(1, { error: "書名を入力してください。" }).max(500),
  titleKana: optionalText(500),
  author: optionalText(300),
  authorKana: optionalText(300),
  publisher: optionalText(200),
  year: z.number().int().min(0).max(9999, { error: "出版年が正しくありません。" }).optional(),
  isbn: isbnField.optional(),
  ndc: z
    .string()
    .regex(/^\d{1,3}(\.\d{1,4})?$/, { error: "NDCは 913.6 のように入力してください。" })
    .optional(),
  subject: optionalText(200),
  series: optionalText(200),
  type: z.enum(MATERIAL_TYPES, { error: "資料種別が正しくありません。" }),
  magazineTitle: optionalText(200),
  issueLabel: optionalText(100),
  issueDate: date.optional(),
  latestIssue: z.boolean().optional(),
};

/** A PATCH must name at least one field: an empty one changes nothing and says so. */
const someField = <T extends z.ZodObject>(schema: T) =>
  schema.refine((o) => Object.values(o).some((v) => v !== undefined), { error: "変更する項目を指定してください。" });

export const materialSchema = z.object(materialFields);
export const materialPatchSchema = someField(z.object(materialFields).partial());

export const itemSchema = z.object({
  materialId: z.number().int().positive(),
  branch: code,
  barcode: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,30}$/, { error: "バーコードは半角英数字30文字以内です。" })
    .optional(),
  callNumber: optionalText(50),
  loanable: z.boolean({ error: "貸出可（true）か禁帯出（false）かを指定してください。" }),
});

/** Statuses staff may set by hand; 貸出中 and 取置中 come only from lending and setting aside. */
export const SETTABLE_ITEM_STATUSES = ITEM_STATUSES.filter((s) => s !== "on_loan" && s !== "on_hold");

export const itemPatchSchema = someField(
  z.object({
    status: z
      .enum(ITEM_STATUSES, { error: "状態が正しくありません。" })
      .refine((s) => s !== "on_loan" && s !== "on_hold", { error: "貸出中・取置中は、貸出や取り置きの操作で変わります。" })
      .optional(),
    loanable: z.boolean().optional(),
    callNumber: optionalText(50),
  }),
);

export const patronSchema = z.object({
  name: z.string().trim().min(1, { error: "氏名を入力してください。" }).max(100),
  nameKana: optionalText(100),
  email: z
    .string()
    .trim()
    .pipe(z.email({ error: "仮のメールアドレスの形式が正しくありません。" })),
  cardNumber: cardNumber.optional(),
  cardValidUntil: date.optional(),
});

export const patronPatchSchema = someField(
  z.object({
    webEnabled: z.boolean().optional(),
    suspended: z.boolean().optional(),
    cardValidUntil: date.nullable().optional(),
  }),
);

export const counterReservationSchema = z.object({
  cardNumber,
  materialId: z.number().int().positive(),
  pickupBranch: code,
});

export const holdSchema = z.object({
  itemId: z.number().int().positive(),
  /** Setting aside out of queue order is an explicit override with a reason, kept in the audit log. */
  outOfTurnReason: z
    .string()
    .trim()
    .min(1, { error: "順番を飛ばす理由を入力してください。" })
    .max(200, { error: "200文字以内で入力してください。" })
    .optional(),
});

export const loanSchema = z.object({
  cardNumber,
  itemId: z.number().int().positive(),
  dueDate: date.optional(),
});

export const calendarSchema = z.object({ open: z.boolean({ error: "開館日（true）か休館日（false）かを指定してください。" }) });

/** A job runs as of today or an earlier day, never a future one (it would use up that day's run). */
export const jobSchema = z.object({
  date: date.refine((d) => d <= tokyoDate(Date.now()), { error: "未来の日付では実行できません。" }).optional(),
});

const yesNo = z
  .enum(["", "0", "1", "false", "true", "on"], { error: "0 か 1 で指定してください。" })
  .optional()
  .transform((v) => v === "1" || v === "true" || v === "on");

/** `?kind=…&dryRun=&full=` of an import (API query or upload form). */
export const importSchema = z.object({
  kind: z.enum(IMPORT_KINDS, { error: `種類は ${IMPORT_KINDS.join("・")} のいずれかです。` }),
  dryRun: yesNo,
  full: yesNo,
  name: z.string().trim().max(200).optional(),
});
