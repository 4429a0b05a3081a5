// The library's code lists (API.md, DOMAIN.md) and their labels as the guide words them.

export const MATERIAL_TYPES = ["book", "magazine", "av", "kamishibai", "other"] as const;
export type MaterialType = (typeof MATERIAL_TYPES)[number];
export const MATERIAL_TYPE_LABELS: Record<MaterialType, string> = {
  book: "図書",
  magazine: "雑誌",
  av: "視聴覚",
  kamishibai: "紙芝居",
  other: "その他",
};

export const ITEM_STATUSES = [
  "available",
  "on_loan",
  "on_hold",
  "in_transit",
  "processing",
  "missing",
  "damaged",
  "withdrawn",
] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];
export const ITEM_STATUS_LABELS: Record<ItemStatus, string> = {
  available: "在架",
  on_loan: "貸出中",
  on_hold: "取置中",
  in_transit: "移動中",
  processing: "整理中",
  missing: "行方不明",
  damaged: "破損",
  withdrawn: "除籍",
};
/** Copies that will not come back to a patron: they cannot satisfy a reservation. */
export const UNUSABLE_ITEM_STATUSES: readonly ItemStatus[] = ["missing", "damaged", "withdrawn"];

export const RESERVATION_STATUSES = [
  "applied",
  "reserved",
  "rejected",
  "on_hold",
  "application_cancelled",
  "cancel_requested",
  "cancelled",
  "fulfilled",
  "expired",
] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];
export const RESERVATION_STATUS_LABELS: Record<ReservationStatus, string> = {
  applied: "予約申請中",
  reserved: "予約中",
  rejected: "予約拒否",
  on_hold: "お取り置き",
  application_cancelled: "予約申請取消",
  cancel_requested: "取消申請中",
  cancelled: "予約取消済み",
  fulfilled: "貸出済み",
  expired: "取置期限切れ",
};
/** Statuses that count toward the limit of 10 and block a duplicate reservation of the same material. */
export const ACTIVE_RESERVATION_STATUSES = ["applied", "reserved", "cancel_requested", "on_hold"] as const;
/** Statuses of a reservation that is over: everything that is not active. */
export const FINISHED_RESERVATION_STATUSES = RESERVATION_STATUSES.filter(
  (s) => !(ACTIVE_RESERVATION_STATUSES as readonly ReservationStatus[]).includes(s),
);

/** What an import brings in (API.md Additions: `POST /admin/imports?kind=…`). */
export const IMPORT_KINDS = ["marc", "materials", "copies", "patrons", "loans", "reservations"] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];
export const IMPORT_KIND_LABELS: Record<ImportKind, string> = {
  marc: "書誌（MARC）",
  materials: "資料（CSV）",
  copies: "所蔵（CSV）",
  patrons: "利用者（CSV）",
  loans: "貸出（CSV）",
  reservations: "窓口予約（CSV）",
};
export const IMPORT_STATUSES = ["queued", "running", "done", "failed"] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];
export const IMPORT_STATUS_LABELS: Record<ImportStatus, string> = {
  queued: "待機中",
  running: "取込中",
  done: "完了",
  failed: "失敗",
};
