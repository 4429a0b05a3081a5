// Which column of a library's CSV/TSV export is which field: built-in Japanese and English header names,
// overridden by the library's own mapping file (docs/imports.md), and the MARC holdings fields to read.
import * as z from "zod/mini";
import type { ImportKind } from "../domain/codes";

type CsvKind = Exclude<ImportKind, "marc">;

/** Each kind's fields: the built-in header names (normalised), and whether a row needs the column. */
const FIELDS: Record<CsvKind, Record<string, { names: string[]; required?: boolean; label: string }>> = {
  materials: {
    sourceId: {
      names: ["sourceid", "書誌id", "書誌番号", "資料id", "資料番号", "書誌no", "id"],
      required: true,
      label: "書誌番号",
    },
    title: { names: ["title", "書名", "タイトル", "資料名"], required: true, label: "書名" },
    titleKana: { names: ["titlekana", "書名ヨミ", "書名カナ", "タイトルヨミ", "ヨミ"], label: "書名ヨミ" },
    author: { names: ["author", "著者", "著者名", "著者名等"], label: "著者" },
    authorKana: { names: ["authorkana", "著者ヨミ", "著者カナ", "著者名ヨミ"], label: "著者ヨミ" },
    publisher: { names: ["publisher", "出版者", "出版社"], label: "出版者" },
    year: { names: ["year", "出版年", "刊行年", "発行年"], label: "出版年" },
    isbn: { names: ["isbn"], label: "ISBN" },
    ndc: { names: ["ndc", "分類", "分類記号", "ndc分類"], label: "NDC" },
    subject: { names: ["subject", "件名"], label: "件名" },
    series: { names: ["series", "シリーズ", "シリーズ名", "叢書名"], label: "シリーズ" },
    type: { names: ["type", "資料種別", "種別", "資料区分"], label: "資料種別" },
  },
  copies: {
    barcode: {
      names: ["barcode", "バーコード", "資料バーコード", "登録番号", "資料コード"],
      required: true,
      label: "バーコード",
    },
    materialSourceId: {
      names: ["materialsourceid", "sourceid", "書誌id", "書誌番号", "資料id"],
      required: true,
      label: "書誌番号",
    },
    branch: { names: ["branch", "所蔵館", "館コード", "所蔵館コード"], required: true, label: "所蔵館" },
    callNumber: { names: ["callnumber", "請求記号"], label: "請求記号" },
    status: { names: ["status", "状態", "所蔵状態", "資料状態"], label: "状態" },
    notLoanable: { names: ["notloanable", "禁帯出", "貸出区分", "禁帯出区分"], label: "禁帯出" },
  },
  patrons: {
    cardNumber: {
      names: ["cardnumber", "利用者番号", "利用者id", "カード番号", "利用券番号"],
      required: true,
      label: "利用者番号",
    },
    name: { names: ["name", "氏名", "利用者名"], required: true, label: "氏名" },
    nameKana: { names: ["namekana", "氏名カナ", "カナ", "氏名ヨミ", "フリガナ"], label: "氏名カナ" },
    email: { names: ["email", "メールアドレス", "メール", "e-mail"], label: "メールアドレス" },
    validUntil: { names: ["validuntil", "有効期限", "有効期限日"], label: "有効期限" },
    webUse: { names: ["webuse", "web利用", "インターネット利用", "ネット予約"], label: "Web利用" },
    suspended: { names: ["suspended", "利用停止", "停止"], label: "利用停止" },
  },
  loans: {
    barcode: { names: ["barcode", "バーコード", "資料バーコード", "登録番号"], required: true, label: "バーコード" },
    cardNumber: { names: ["cardnumber", "利用者番号", "カード番号"], required: true, label: "利用者番号" },
    loanedAt: { names: ["loanedat", "貸出日", "貸出日時"], required: true, label: "貸出日" },
    dueDate: { names: ["duedate", "返却期限", "返却予定日", "返却期限日"], required: true, label: "返却期限" },
  },
  reservations: {
    cardNumber: { names: ["cardnumber", "利用者番号", "カード番号"], required: true, label: "利用者番号" },
    materialSourceId: {
      names: ["materialsourceid", "sourceid", "書誌id", "書誌番号", "資料id"],
      required: true,
      label: "書誌番号",
    },
    pickupBranch: { names: ["pickupbranch", "受取館", "受取館コード"], required: true, label: "受取館" },
    reservedAt: { names: ["reservedat", "予約日", "予約日時", "受付日"], required: true, label: "予約日" },
    queueOrder: { names: ["queueorder", "予約順位", "順位"], label: "予約順位" },
  },
};

const code = z.string().check(z.length(1));
const holdingSpec = z.object({
  tag: z.string().check(z.regex(/^\d{3}$/)),
  branch: code,
  barcode: code,
  callNumber: z.optional(z.string().check(z.minLength(1), z.maxLength(3))),
  status: z.optional(code),
  notLoanable: z.optional(code),
});
export type HoldingSpec = z.output<typeof holdingSpec>;

/** 852 $b 館 $p バーコード $h$i 請求記号 $z 注記（禁帯出）; 949 $a 館 $b バーコード $c 請求記号 $d 状態 $e 禁帯出. */
export const DEFAULT_HOLDINGS: HoldingSpec[] = [
  { tag: "852", branch: "b", barcode: "p", callNumber: "hi", notLoanable: "z" },
  { tag: "949", branch: "a", barcode: "b", callNumber: "c", status: "d", notLoanable: "e" },
];

/** A library's mapping file: its header names → our fields, its status words, the file's encoding. */
const name = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
export const mappingSchema = z.strictObject({
  columns: z.optional(z.record(name(100), name(40))),
  statuses: z.optional(z.record(name(40), name(40))),
  encoding: z.optional(z.enum(["auto", "utf-8", "shift_jis"])),
  holdings: z.optional(z.array(holdingSpec).check(z.maxLength(5))),
});
export type Mapping = z.output<typeof mappingSchema>;

const norm = (h: string) =>
  h
    .normalize("NFKC")
    .replace(/^\uFEFF/, "")
    .replace(/\s+/g, "")
    .toLowerCase();

/** Problems of a mapping for a kind (unknown target fields), in Japanese; empty when it can be used. */
export function mappingProblems(kind: ImportKind, m: Mapping): string[] {
  if (kind === "marc") return m.columns ? ["MARCの取込では columns は使いません（holdings で所蔵フィールドを指定します）。"] : [];
  const fields = FIELDS[kind];
  return Object.entries(m.columns ?? {})
    .filter(([, to]) => !(to in fields))
    .map(([from, to]) => `列「${from}」の割り当て先「${to}」はありません（${Object.keys(fields).join(", ")}）。`);
}

export interface Columns {
  /** Column index of each field found in the header. */
  index: Record<string, number>;
}

/** Reads the header line: each known column's index, or the Japanese reason the file cannot be read. */
export function columnsOf(kind: CsvKind, header: string[], m: Mapping): Columns | { problem: string } {
  const fields = FIELDS[kind];
  const own = new Map(Object.entries(m.columns ?? {}).map(([from, to]) => [norm(from), to]));
  const index: Record<string, number> = {};
  header.forEach((h, i) => {
    const n = norm(h);
    const field = own.get(n) ?? Object.entries(fields).find(([, f]) => f.names.includes(n))?.[0];
    if (field && index[field] === undefined) index[field] = i;
  });
  const missing = Object.entries(fields).filter(([name, f]) => f.required && index[name] === undefined);
  if (missing.length > 0)
    return {
      problem: `見出し行に${missing.map(([, f]) => `「${f.label}」`).join("")}の列がありません（対応表で列名を指定できます）。`,
    };
  return { index };
}

/** One CSV row as named fields. */
export function fieldsOf(cells: string[], columns: Columns): Record<string, string> {
  return Object.fromEntries(Object.entries(columns.index).map(([field, i]) => [field, cells[i] ?? ""]));
}
