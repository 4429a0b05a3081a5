// Search and calendar parameters as the contract defines them, with Japanese messages.
import * as z from "zod/mini";
import { MATERIAL_TYPES } from "../../domain/codes";
import { toIsbn13 } from "../../domain/isbn";
import { queryTerms } from "../../domain/search-text";

const MAX_TERMS = 10;
const YES_NO = ["true", "false", "1", "0", "on"] as const;

const text = (label: string) =>
  z.string().check(
    z.maxLength(200, { error: `${label}は200文字以内で入力してください。` }),
    z.refine((v) => queryTerms(v).length > 0, { error: `${label}に検索できる文字（文字や数字）が含まれていません。` }),
    z.refine((v) => queryTerms(v).length <= MAX_TERMS, { error: `${label}の語は${MAX_TERMS}語までにしてください。` }),
  );

/** Digits of a form field as a number, after a format check with its own message. */
const digits = (pattern: RegExp, error: string) => z.pipe(z.string().check(z.regex(pattern, { error })), z.transform(Number));

const year = (label: string) => digits(/^\d{1,4}$/, `${label}は西暦の年（4桁まで）で入力してください。`);

/** An ISBN in any form (ISBN-10 or -13, hyphens, full width), as its 13 digits. */
export const isbnField = z.pipe(
  z.string(),
  z.transform((v: string, ctx) => {
    const isbn = toIsbn13(v);
    if (!isbn) ctx.issues.push({ code: "custom", message: "ISBNは10桁または13桁の正しい番号を入力してください。", input: v });
    return isbn ?? "";
  }),
);

/** Form fields left empty count as absent. */
const dropEmpty = (input: unknown) =>
  input && typeof input === "object"
    ? Object.fromEntries(Object.entries(input).filter(([, v]) => !(typeof v === "string" && v.trim() === "")))
    : input;

const searchFields = z
  .object({
    q: z.optional(text("キーワード")),
    title: z.optional(text("書名")),
    author: z.optional(text("著者名")),
    publisher: z.optional(text("出版者")),
    isbn: z.optional(isbnField),
    ndc: z.optional(
      z
        .string()
        .check(z.regex(/^\d{1,3}(\.\d{0,4})?$/, { error: "分類（NDC）は 913 や 913.6 のように数字で入力してください。" })),
    ),
    type: z.optional(z.enum(MATERIAL_TYPES, { error: "資料種別の指定が正しくありません。" })),
    yearFrom: z.optional(year("出版年（から）")),
    yearTo: z.optional(year("出版年（まで）")),
    branch: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,20}$/, { error: "所蔵館の指定が正しくありません。" }))),
    available: z.optional(
      z.pipe(
        z.enum(YES_NO, { error: "「貸出可能のみ」の指定が正しくありません。" }),
        z.transform((v: (typeof YES_NO)[number]) => v === "true" || v === "1" || v === "on"),
      ),
    ),
    sort: z._default(z.enum(["relevance", "newest", "title"], { error: "並び順の指定が正しくありません。" }), "relevance"),
    page: z._default(
      z.pipe(
        digits(/^\d{1,4}$/, "ページ番号が正しくありません。"),
        z
          .number()
          .check(
            z.minimum(1, { error: "ページ番号は1以上です。" }),
            z.maximum(500, { error: "500ページより先は表示できません。条件を絞り込んでください。" }),
          ),
      ),
      1,
    ),
    perPage: z._default(
      z.pipe(
        digits(/^\d{1,3}$/, "表示件数が正しくありません。"),
        z
          .number()
          .check(z.minimum(1, { error: "表示件数は1〜100件です。" }), z.maximum(100, { error: "表示件数は1〜100件です。" })),
      ),
      20,
    ),
  })
  .check(
    z.refine((p) => p.yearFrom === undefined || p.yearTo === undefined || p.yearFrom <= p.yearTo, {
      error: "出版年の範囲が逆になっています。",
      path: ["yearTo"],
    }),
  );

export const searchSchema = z.pipe(z.transform(dropEmpty), searchFields);
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

/** 新着資料's filters: a branch, an NDC class (one digit), a type, and the page (at most 50 pages of 20). */
export const newArrivalsSchema = z.pipe(
  z.transform(dropEmpty),
  z.object({
    branch: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,20}$/, { error: "所蔵館の指定が正しくありません。" }))),
    ndc: z.optional(z.string().check(z.regex(/^\d$/, { error: "分類は 0〜9 の1桁で指定してください。" }))),
    type: z.optional(z.enum(MATERIAL_TYPES, { error: "資料種別の指定が正しくありません。" })),
    page: z._default(
      z.pipe(
        digits(/^\d{1,2}$/, "ページ番号が正しくありません。"),
        z
          .number()
          .check(
            z.minimum(1, { error: "ページ番号は1以上です。" }),
            z.maximum(50, { error: "50ページより先は表示できません。" }),
          ),
      ),
      1,
    ),
  }),
);
export type NewArrivalsFilters = z.output<typeof newArrivalsSchema>;

export const monthSchema = z.pipe(
  z.transform(dropEmpty),
  z.object({
    month: z.optional(z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: "月は YYYY-MM の形で指定してください。" }))),
    branch: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,20}$/, { error: "館の指定が正しくありません。" }))),
  }),
);

export const materialIdSchema = digits(/^[1-9]\d{0,9}$/, "資料番号が正しくありません。");
