// What one imported row becomes, kind by kind, and the checks that skip a row with a Japanese reason.
// The readers (CSV columns, MARC fields) hand over plain strings; everything is validated here.
import { isValidDate } from "../domain/calendar";
import { ITEM_STATUSES, type ItemStatus, MATERIAL_TYPES, type MaterialType } from "../domain/codes";
import { toIsbn13 } from "../domain/isbn";

export interface MaterialRecord {
  sourceId: string;
  title: string;
  titleKana: string | null;
  author: string | null;
  authorKana: string | null;
  publisher: string | null;
  year: number | null;
  isbn: string | null;
  ndc: string | null;
  subject: string | null;
  series: string | null;
  type: MaterialType;
}

/** A copy row; `status: null` keeps the copy's current status (a new copy is 在架). */
export interface CopyRecord {
  barcode: string;
  materialSourceId: string;
  branch: string;
  callNumber: string | null;
  status: ItemStatus | null;
  loanable: boolean;
}

export interface PatronRecord {
  cardNumber: string;
  name: string;
  nameKana: string | null;
  email: string | null;
  validUntil: string | null;
  /** The library system's Web利用: false stops web use here; true leaves registration to the counter. */
  webUse: boolean | null;
  suspended: boolean | null;
}

export interface LoanRecord {
  barcode: string;
  cardNumber: string;
  loanedAt: number;
  dueDate: string;
}

export interface CounterReservationRecord {
  cardNumber: string;
  materialSourceId: string;
  pickupBranch: string;
  reservedAt: number;
  queueOrder: number;
}

/** A row the import skips: the reason staff read beside its line number. */
export class RowError extends Error {}

const reject = (reason: string): never => {
  throw new RowError(reason);
};

const clean = (v: string | undefined | null): string | null => {
  const s = (v ?? "").normalize("NFKC").replace(/\s+/g, " ").trim();
  return s === "" ? null : s;
};

/** Text kept as written (titles, names): only outer whitespace goes. */
const keep = (v: string | undefined | null): string | null => {
  const s = (v ?? "").replace(/[\s\u3000]+/g, " ").trim();
  return s === "" ? null : s;
};

const required = (v: string | undefined | null, label: string): string => keep(v) ?? reject(`${label}がありません。`);

const limited = (v: string | null, label: string, max: number): string | null =>
  v !== null && v.length > max ? reject(`${label}が長すぎます（${max}文字まで）。`) : v;

const TYPE_WORDS: Record<string, MaterialType> = {
  図書: "book",
  本: "book",
  雑誌: "magazine",
  視聴覚: "av",
  視聴覚資料: "av",
  cd: "av",
  dvd: "av",
  紙芝居: "kamishibai",
  その他: "other",
};

function materialType(v: string | undefined): MaterialType {
  const s = clean(v);
  if (s === null) return "book";
  const lower = s.toLowerCase();
  if ((MATERIAL_TYPES as readonly string[]).includes(lower)) return lower as MaterialType;
  return TYPE_WORDS[lower] ?? reject(`資料種別「${s}」は使えません（図書・雑誌・視聴覚・紙芝居・その他）。`);
}

function year(v: string | undefined): number | null {
  const s = clean(v);
  if (s === null) return null;
  const m = /(1[0-9]{3}|20[0-9]{2})/.exec(s);
  return m ? Number(m[1]) : reject(`出版年「${s}」が読めません。`);
}

function isbn(v: string | undefined): string | null {
  const s = clean(v);
  if (s === null) return null;
  return toIsbn13(s.replace(/\s*\(.*$/, "")) ?? reject(`ISBN「${s}」が正しくありません（チェックディジットが合いません）。`);
}

function ndc(v: string | undefined): string | null {
  const s = clean(v);
  if (s === null) return null;
  return /^[0-9]{1,3}(\.[0-9]+)?$/.test(s) ? s : reject(`NDC「${s}」が正しくありません。`);
}

export interface MaterialFields {
  sourceId?: string;
  title?: string;
  titleKana?: string;
  author?: string;
  authorKana?: string;
  publisher?: string;
  year?: string;
  isbn?: string;
  ndc?: string;
  subject?: string;
  series?: string;
  type?: string;
}

export function materialRecord(f: MaterialFields): MaterialRecord {
  return {
    sourceId: limited(required(f.sourceId, "資料ID（書誌番号）"), "資料ID", 64) as string,
    title: limited(required(f.title, "書名"), "書名", 1000) as string,
    titleKana: limited(keep(f.titleKana), "書名ヨミ", 1000),
    author: limited(keep(f.author), "著者", 1000),
    authorKana: limited(keep(f.authorKana), "著者ヨミ", 1000),
    publisher: limited(keep(f.publisher), "出版者", 500),
    year: year(f.year),
    isbn: isbn(f.isbn),
    ndc: ndc(f.ndc),
    subject: limited(keep(f.subject), "件名", 1000),
    series: limited(keep(f.series), "シリーズ", 500),
    type: materialType(f.type),
  };
}

const STATUS_WORDS: Record<string, ItemStatus | null> = {
  在架: "available",
  在庫: "available",
  貸出可: "available",
  貸出中: null,
  取置中: null,
  予約取置: null,
  移動中: "in_transit",
  回送中: "in_transit",
  整理中: "processing",
  受入中: "processing",
  行方不明: "missing",
  不明: "missing",
  破損: "damaged",
  修理中: "damaged",
  除籍: "withdrawn",
  廃棄: "withdrawn",
  削除: "withdrawn",
};

/** The library system's copy status; its loan and hold states are this service's own (null: keep as is). */
export function copyStatus(v: string | undefined, words: Record<string, string> = {}): ItemStatus | null {
  const s = clean(v);
  if (s === null) return null;
  const mapped = words[s] ?? s;
  if (mapped === "on_loan" || mapped === "on_hold") return null;
  if ((ITEM_STATUSES as readonly string[]).includes(mapped)) return mapped as ItemStatus;
  if (mapped in STATUS_WORDS) return STATUS_WORDS[mapped] as ItemStatus | null;
  return reject(`所蔵状態「${s}」が読めません（在架・移動中・整理中・行方不明・破損・除籍）。`);
}

const TRUE_WORDS = new Set(["1", "true", "yes", "y", "はい", "可", "○", "◯", "有", "あり", "利用", "利用可"]);
const FALSE_WORDS = new Set(["0", "false", "no", "n", "いいえ", "不可", "×", "無", "なし", "停止", "利用不可"]);

export function flag(v: string | undefined, label: string): boolean | null {
  const s = clean(v)?.toLowerCase() ?? null;
  if (s === null) return null;
  if (TRUE_WORDS.has(s)) return true;
  if (FALSE_WORDS.has(s)) return false;
  return reject(`${label}「${s}」が読めません（1/0、可/不可）。`);
}

/** 禁帯出 columns say "not loanable": 禁帯出, 1, ○ … mean the copy stays in the library. */
function loanable(v: string | undefined): boolean {
  const s = clean(v);
  if (s === null) return true;
  if (/^(禁帯出|禁|館内|参考|貸出不可)$/.test(s)) return false;
  if (/^(貸出可|可|通常)$/.test(s)) return true;
  const f = flag(s, "禁帯出");
  return f === null ? true : !f;
}

export interface CopyFields {
  barcode?: string;
  materialSourceId?: string;
  branch?: string;
  callNumber?: string;
  status?: string;
  notLoanable?: string;
}

export function copyRecord(f: CopyFields, statusWords?: Record<string, string>): CopyRecord {
  const barcode = required(f.barcode, "バーコード");
  if (!/^[0-9A-Za-z-]{1,32}$/.test(barcode)) reject(`バーコード「${barcode}」が正しくありません（英数字32文字まで）。`);
  return {
    barcode,
    materialSourceId: required(f.materialSourceId, "資料ID（書誌番号）"),
    branch: required(f.branch, "所蔵館"),
    callNumber: limited(keep(f.callNumber), "請求記号", 100),
    status: copyStatus(f.status, statusWords),
    loanable: loanable(f.notLoanable),
  };
}

/** 'YYYY-MM-DD', 'YYYY/MM/DD', 'YYYYMMDD' or 'YYYY年M月D日' → 'YYYY-MM-DD'. */
export function dateOf(v: string | undefined, label: string): string | null {
  const s = clean(v);
  if (s === null) return null;
  const m = /^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?(?:[ T].*)?$/.exec(s);
  const date = m ? `${m[1]}-${(m[2] as string).padStart(2, "0")}-${(m[3] as string).padStart(2, "0")}` : "";
  return isValidDate(date) ? date : reject(`${label}「${s}」が日付として読めません（YYYY-MM-DD）。`);
}

/** A date or a date and time in Tokyo → epoch milliseconds. */
function instantOf(v: string | undefined, label: string): number | null {
  const s = clean(v);
  if (s === null) return null;
  const date = dateOf(s, label) as string;
  const t = /[ T](\d{1,2}):(\d{2})(?::(\d{2}))?/.exec(s);
  const time = t ? `${(t[1] as string).padStart(2, "0")}:${t[2]}:${t[3] ?? "00"}` : "00:00:00";
  const at = Date.parse(`${date}T${time}+09:00`);
  return Number.isNaN(at) ? reject(`${label}「${s}」が読めません。`) : at;
}

const CARD = /^[0-9A-Za-z-]{4,20}$/;
function card(v: string | undefined): string {
  const s = clean(v) ?? reject("利用者番号がありません。");
  return CARD.test(s) ? s : reject(`利用者番号「${s}」が正しくありません（英数字4〜20文字）。`);
}

export interface PatronFields {
  cardNumber?: string;
  name?: string;
  nameKana?: string;
  email?: string;
  validUntil?: string;
  webUse?: string;
  suspended?: string;
}

export function patronRecord(f: PatronFields): PatronRecord {
  const email = clean(f.email);
  if (email !== null && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) reject("メールアドレスの形式が正しくありません。");
  return {
    cardNumber: card(f.cardNumber),
    name: limited(required(f.name, "氏名"), "氏名", 200) as string,
    nameKana: limited(keep(f.nameKana), "氏名カナ", 200),
    email: limited(email, "メールアドレス", 254),
    validUntil: dateOf(f.validUntil, "有効期限"),
    webUse: flag(f.webUse, "Web利用"),
    suspended: flag(f.suspended, "利用停止"),
  };
}

export interface LoanFields {
  barcode?: string;
  cardNumber?: string;
  loanedAt?: string;
  dueDate?: string;
}

export function loanRecord(f: LoanFields): LoanRecord {
  return {
    barcode: required(f.barcode, "バーコード"),
    cardNumber: card(f.cardNumber),
    loanedAt: instantOf(f.loanedAt, "貸出日") ?? reject("貸出日がありません。"),
    dueDate: dateOf(f.dueDate, "返却期限") ?? reject("返却期限がありません。"),
  };
}

export interface ReservationFields {
  cardNumber?: string;
  materialSourceId?: string;
  pickupBranch?: string;
  reservedAt?: string;
  queueOrder?: string;
}

export function counterReservationRecord(f: ReservationFields): CounterReservationRecord {
  const order = clean(f.queueOrder);
  if (order !== null && !/^\d{1,6}$/.test(order)) reject(`予約順位「${order}」が数字ではありません。`);
  return {
    cardNumber: card(f.cardNumber),
    materialSourceId: required(f.materialSourceId, "資料ID（書誌番号）"),
    pickupBranch: required(f.pickupBranch, "受取館"),
    reservedAt: instantOf(f.reservedAt, "予約日") ?? reject("予約日がありません。"),
    queueOrder: order === null ? 0 : Number(order),
  };
}
