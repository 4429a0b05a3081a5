// Search and calendar parameters as the contract defines them, with Japanese messages.
import { z } from "zod";
import { MATERIAL_TYPES } from "../../domain/codes";
import { toIsbn13 } from "../../domain/isbn";
import { queryTerms } from "../../domain/search-text";

const MAX_TERMS = 10;

const text = (label: string) =>
  z
    .string()
    .max(200, { error: `${label}は200文字以内で入力してください。` })
    .refine((v) => queryTerms(v).length > 0, { error: `${label}に検索できる文字（文字や数字）が含まれていません。` })
    .refine((v) => queryTerms(v).length <= MAX_TERMS, { error: `${label}の語は${MAX_TERMS}語までにしてください。` });

const year = (label: string) =>
  z
    .string()
    .regex(/^\d{1,4}$/, { error: `${label}は西暦の年（4桁まで）で入力してください。` })
    .transform(Number);

/** An ISBN in any form (ISBN-10 or -13, hyphens, full width), as its 13 digits. */
export const isbnField = z.string().transform((v, ctx) => {
  const isbn = toIsbn13(v);
  if (!isbn) ctx.addIssue({ code: "custom", message: "ISBNは10桁または13桁の正しい番号を入力してください。" });
  return isbn ?? "";
});

/** Form fields left empty count as absent. */
const dropEmpty = (input: unknown) =>
  input && typeof input === "object"
    ? Object.fromEntries(Object.entries(input).filter(([, v]) => !(typeof v === "string" && v.trim() === "")))
    : input;

const searchFields = z
  .object({
    q: text("キーワード").optional(),
    title: text("書名").optional(),
    author: text("著者名").optional(),
    publisher: text("出版者").optional(),
    isbn: isbnField.optional(),
    ndc: z
      .string()
      .regex(/^\d{1,3}(\.\d{0,4})?$/, { error: "分類（NDC）は 913 や 913.6 のように数字で入力してください。" })
      .optional(),
    type: z.enum(MATERIAL_TYPES, { error: "資料種別の指定が正しくありません。" }).optional(),
    yearFrom: year("出版年（から）").optional(),
    yearTo: year("出版年（まで）").optional(),
    branch: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,20}$/, { error: "所蔵館の指定が正しくありません。" })
      .optional(),
    available: z
      .enum(["true", "false", "1", "0", "on"], { error: "「貸出可能のみ」の指定が正しくありません。" })
      .transform((v) => v === "true" || v === "1" || v === "on")
      .optional(),
    sort: z.enum(["relevance", "newest", "title"], { error: "並び順の指定が正しくありません。" }).default("relevance"),
    page: z
      .string()
      .regex(/^\d{1,4}$/, { error: "ページ番号が正しくありません。" })
      .transform(Number)
      .pipe(
        z
          .number()
          .min(1, { error: "ページ番号は1以上です。" })
          .max(500, { error: "500ページより先は表示できません。条件を絞り込んでください。" }),
      )
      .default(1),
    perPage: z
      .string()
      .regex(/^\d{1,3}$/, { error: "表示件数が正しくありません。" })
      .transform(Number)
      .pipe(z.number().min(1, { error: "表示件数は1〜100件です。" }).max(100, { error: "表示件数は1〜100件です。" }))
      .default(20),
  })
  .refine((p) => p.yearFrom === undefined || p.yearTo === undefined || p.yearFrom <= p.yearTo, {
    error: "出版年の範囲が逆になっています。",
    path: ["yearTo"],
  });

export const searchSchema = z.preprocess(dropEmpty, searchFields);
export type SearchQuery = z.output<typeof searchSchema>;

/** Whether any search condition was given (an empty form shows the search box only). */
export const hasConditions = (q: SearchQuery): boolean =>
  Boolean(
    q.q ||
      q.title ||
      q.author ||
      q.publisher ||
      q.isbn ||
      q.ndc ||
      q.type ||
      q.branch ||
      q.available ||
      q.yearFrom !== undefined ||
      q.yearTo !== undefined,
  );

export const monthSchema = z.preprocess(
  dropEmpty,
  z.object({
    month: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: "月は YYYY-MM の形で指定してください。" })
      .optional(),
  }),
);

export const materialIdSchema = z
  .string()
  .regex(/^[1-9]\d{0,9}$/, { error: "資料番号が正しくありません。" })
  .transform(Number);
