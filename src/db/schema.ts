// The whole data model of the library, in Drizzle: the only source of the schema (drizzle-kit → migrations/).
// Instants are epoch milliseconds (rendered in Asia/Tokyo); business dates are 'YYYY-MM-DD' text.
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import {
  ACTIVE_RESERVATION_STATUSES,
  IMPORT_KINDS,
  IMPORT_STATUSES,
  ITEM_STATUSES,
  MATERIAL_TYPES,
  RESERVATION_STATUSES,
} from "../domain/codes";
import { REASON_CODES } from "../domain/eligibility";
import { MAIL_KINDS, OUTBOX_KINDS, OUTBOX_STATUSES } from "../domain/mail-keys";

const createdAt = () =>
  integer("created_at", { mode: "number" }).notNull().default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(", "));

/** 館: the main library and its branches; `pickup` says whether patrons may choose it as 受取館. */
export const branches = sqliteTable("branches", {
  code: text("code").primaryKey(),
  name: text("name").notNull(),
  pickup: integer("pickup", { mode: "boolean" }).notNull().default(true),
  sortOrder: integer("sort_order").notNull().default(0),
  /** What a patron needs to reach the branch (its page, holdings, the cart): address, phone, opening hours as printed. */
  address: text("address"),
  phone: text("phone"),
  hours: text("hours"),
});

/** 開館日カレンダー: one row per business date; a missing date counts as closed. */
export const calendarDays = sqliteTable("calendar_days", {
  date: text("date").primaryKey(),
  open: integer("open", { mode: "boolean" }).notNull(),
  note: text("note"),
});

/**
 * The catalog's version: one row, bumped in the same batch as every staff or import write to a material,
 * branch, opening day or copy (db/catalog-version.ts). Cached catalog
 * pages carry it in their key, so a staff change is never hidden behind the cache.
 */
export const catalogVersion = sqliteTable(
  "catalog_version",
  {
    id: integer("id").primaryKey(),
    version: integer("version").notNull().default(0),
  },
  (t) => [check("catalog_version_one_row", sql`${t.id} = 1`)],
);

/** 資料: a bibliographic record. `titleSort` is the normalised reading used to sort by title. */
export const materials = sqliteTable(
  "materials",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    title: text("title").notNull(),
    titleKana: text("title_kana"),
    author: text("author"),
    authorKana: text("author_kana"),
    publisher: text("publisher"),
    year: integer("year"),
    isbn: text("isbn"),
    ndc: text("ndc"),
    subject: text("subject"),
    series: text("series"),
    type: text("type", { enum: MATERIAL_TYPES }).notNull(),
    magazineTitle: text("magazine_title"),
    /** The issue as printed (e.g. 2026年12月号) and its date, for magazines. */
    issueLabel: text("issue_label"),
    issueDate: text("issue_date"),
    latestIssue: integer("latest_issue", { mode: "boolean" }).notNull().default(false),
    /** The record's id in the library's own system, for the nightly import; null for records made here. */
    sourceId: text("source_id"),
    /** Digest of the imported record as last written: an unchanged record in the next import is skipped. */
    sourceHash: text("source_hash"),
    titleSort: text("title_sort").notNull(),
    titleNorm: text("title_norm").notNull(),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "number" }),
  },
  (t) => [
    index("materials_isbn_idx").on(t.isbn),
    index("materials_ndc_idx").on(t.ndc),
    index("materials_type_year_idx").on(t.type, t.year),
    index("materials_year_idx").on(t.year),
    index("materials_title_sort_idx").on(t.titleSort),
    uniqueIndex("materials_source_idx").on(t.sourceId),
    index("materials_magazine_idx").on(t.magazineTitle, t.issueDate),
    // At most one issue of a magazine is its latest (雑誌最新号, not reservable).
    uniqueIndex("materials_latest_issue_idx").on(t.magazineTitle).where(sql`${t.latestIssue} = 1`),
    check("materials_type_check", sql`${t.type} in (${inList(MATERIAL_TYPES)})`),
  ],
);

/**
 * Search text of a material, each field group normalised and cut into bigrams (see domain/search-text.ts).
 * It is the external content of the FTS5 table `material_fts` (created in a custom migration and kept
 * in step by triggers), so a table-by-table restore rebuilds the index with one statement.
 */
export const materialSearch = sqliteTable("material_search", {
  materialId: integer("material_id")
    .primaryKey()
    .references(() => materials.id, { onDelete: "cascade" }),
  title: text("title").notNull(),
  author: text("author").notNull(),
  publisher: text("publisher").notNull(),
  subject: text("subject").notNull(),
});

/** 所蔵: a physical copy. `loanable = false` is 禁帯出 (reading room only). */
export const items = sqliteTable(
  "items",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    materialId: integer("material_id")
      .notNull()
      .references(() => materials.id),
    branchCode: text("branch_code")
      .notNull()
      .references(() => branches.code),
    barcode: text("barcode").notNull(),
    callNumber: text("call_number"),
    shelf: text("shelf"),
    status: text("status", { enum: ITEM_STATUSES }).notNull().default("available"),
    loanable: integer("loanable", { mode: "boolean" }).notNull().default(true),
    /** Digest of the imported copy row; null for copies added here (a full export never removes those). */
    sourceHash: text("source_hash"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "number" }),
  },
  (t) => [
    uniqueIndex("items_barcode_idx").on(t.barcode),
    // Covers the per-material copy checks (counts, holding branch, available now) without row lookups.
    index("items_material_copy_idx").on(t.materialId, t.branchCode, t.status, t.loanable),
    index("items_branch_material_idx").on(t.branchCode, t.materialId),
    // 新着資料: copies added lately, newest first.
    index("items_created_idx").on(t.createdAt),
    check("items_status_check", sql`${t.status} in (${inList(ITEM_STATUSES)})`),
  ],
);

/** 利用者: card holder with web credentials. The password hash string carries its own parameters. */
export const patrons = sqliteTable(
  "patrons",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    cardNumber: text("card_number").notNull(),
    name: text("name").notNull(),
    nameKana: text("name_kana"),
    email: text("email"),
    /** The address staff typed at registration: no mail goes to it until the patron confirms their own. */
    emailTemporary: integer("email_temporary", { mode: "boolean" }).notNull().default(false),
    contactMethod: text("contact_method", { enum: ["mail", "none"] })
      .notNull()
      .default("mail"),
    passwordHash: text("password_hash"),
    mustChangeCredentials: integer("must_change_credentials", { mode: "boolean" }).notNull().default(true),
    webEnabled: integer("web_enabled", { mode: "boolean" }).notNull().default(false),
    suspended: integer("suspended", { mode: "boolean" }).notNull().default(false),
    cardValidUntil: text("card_valid_until"),
    /** Privacy: no reading history is kept unless the patron asks for it. */
    readingHistoryOptIn: integer("reading_history_opt_in", { mode: "boolean" }).notNull().default(false),
    /** 初期値設定: the pickup branch offered first (null: the patron's last choice, else the first branch). */
    defaultPickupBranch: text("default_pickup_branch").references(() => branches.code),
    /** Mail without titles (only the start of a title and the count), for a shared mailbox; null: the library's default. */
    mailWithoutTitles: integer("mail_without_titles", { mode: "boolean" }),
    /** メールでのお知らせ, each opt-in: 返却期限が近い, 返却期限を過ぎた (weekly), 取置期限が近い. */
    remindDue: integer("remind_due", { mode: "boolean" }).notNull().default(false),
    remindOverdue: integer("remind_overdue", { mode: "boolean" }).notNull().default(false),
    remindHold: integer("remind_hold", { mode: "boolean" }).notNull().default(false),
    credentialsChangedAt: integer("credentials_changed_at", { mode: "number" }),
    /** Digest of the imported patron row (the library system's record), for unchanged rows. */
    sourceHash: text("source_hash"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "number" }),
  },
  (t) => [
    uniqueIndex("patrons_card_number_idx").on(t.cardNumber),
    check("patrons_contact_method_check", sql`${t.contactMethod} in ('mail', 'none')`),
  ],
);

/**
 * 予約. Queue order (予約順位) is `acceptedAt`; `patronId` is nulled when a finished reservation is
 * anonymised. One active reservation per patron and material is enforced by a partial unique index.
 */
export const reservations = sqliteTable(
  "reservations",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    patronId: integer("patron_id").references(() => patrons.id),
    materialId: integer("material_id")
      .notNull()
      .references(() => materials.id),
    pickupBranch: text("pickup_branch")
      .notNull()
      .references(() => branches.code),
    status: text("status", { enum: RESERVATION_STATUSES }).notNull(),
    source: text("source", { enum: ["web", "counter"] }).notNull(),
    appliedAt: integer("applied_at", { mode: "number" }).notNull(),
    acceptedAt: integer("accepted_at", { mode: "number" }),
    cancelRequestedAt: integer("cancel_requested_at", { mode: "number" }),
    holdItemId: integer("hold_item_id").references(() => items.id),
    heldAt: integer("held_at", { mode: "number" }),
    holdUntil: text("hold_until"),
    closedAt: integer("closed_at", { mode: "number" }),
    /** Why it was refused (予約拒否) or a cancellation was not taken: a code, worded by views/reasons.ts. */
    reasonCode: text("reason_code", { enum: REASON_CODES }),
    anonymisedAt: integer("anonymised_at", { mode: "number" }),
    /** 予約の保留: through this date the reservation keeps its place but is passed over for copies. */
    suspendedUntil: text("suspended_until"),
    /** 不要になる日: after this date the nightly refresh cancels the reservation (and tells the patron). */
    notNeededAfter: text("not_needed_after"),
    /** When the patron extended the hold deadline online (once per hold). */
    holdExtendedAt: integer("hold_extended_at", { mode: "number" }),
    /** The hold deadline the patron was reminded of (取置期限が近いお知らせ, once per deadline). */
    holdRemindedFor: text("hold_reminded_for"),
    updatedAt: integer("updated_at", { mode: "number" }),
  },
  (t) => [
    uniqueIndex("reservations_one_active_idx")
      .on(t.patronId, t.materialId)
      .where(sql`${t.status} in (${inList(ACTIVE_RESERVATION_STATUSES)})`),
    index("reservations_patron_status_idx").on(t.patronId, t.status),
    index("reservations_queue_idx").on(t.materialId, t.status, t.acceptedAt),
    index("reservations_status_applied_idx").on(t.status, t.appliedAt),
    index("reservations_closed_idx").on(t.closedAt),
    uniqueIndex("reservations_hold_item_idx").on(t.holdItemId).where(sql`${t.status} = 'on_hold'`),
    check("reservations_status_check", sql`${t.status} in (${inList(RESERVATION_STATUSES)})`),
    check("reservations_source_check", sql`${t.source} in ('web', 'counter')`),
  ],
);

/** 貸出. A returned loan loses `patronId` at the next nightly refresh (privacy: no reading history). One open loan per item. */
export const loans = sqliteTable(
  "loans",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    itemId: integer("item_id")
      .notNull()
      .references(() => items.id),
    patronId: integer("patron_id").references(() => patrons.id),
    reservationId: integer("reservation_id").references(() => reservations.id),
    loanedAt: integer("loaned_at", { mode: "number" }).notNull(),
    dueDate: text("due_date").notNull(),
    /** 貸出延長 online: when the patron renewed it (once per loan). */
    renewedAt: integer("renewed_at", { mode: "number" }),
    returnedAt: integer("returned_at", { mode: "number" }),
    /** The due date the patron was reminded of (返却期限のお知らせ: once per due date, again after a renewal). */
    dueRemindedFor: text("due_reminded_for"),
    /** The business date of the last 延滞のお知らせ (then weekly until the return). */
    overdueMailedOn: text("overdue_mailed_on"),
  },
  (t) => [
    uniqueIndex("loans_open_item_idx").on(t.itemId).where(sql`${t.returnedAt} is null`),
    index("loans_open_due_idx").on(t.dueDate).where(sql`${t.returnedAt} is null`),
    index("loans_patron_idx").on(t.patronId, t.returnedAt),
  ],
);

/** Sessions of patrons and staff: only the SHA-256 of the token is stored. */
export const sessions = sqliteTable(
  "sessions",
  {
    tokenHash: text("token_hash").primaryKey(),
    kind: text("kind", { enum: ["patron", "staff"] }).notNull(),
    patronId: integer("patron_id").references(() => patrons.id, { onDelete: "cascade" }),
    /** Staff sessions: the name the staff member gave at login, for the audit log's "who". */
    staffName: text("staff_name"),
    createdAt: createdAt(),
    lastSeenAt: integer("last_seen_at", { mode: "number" }).notNull(),
    expiresAt: integer("expires_at", { mode: "number" }).notNull(),
  },
  (t) => [
    index("sessions_patron_idx").on(t.patronId),
    index("sessions_expires_idx").on(t.expiresAt),
    check("sessions_kind_check", sql`${t.kind} in ('patron', 'staff')`),
  ],
);

/** 予約カート: a guest cart (cookie id) or a patron's cart (follows the patron across devices). */
export const carts = sqliteTable(
  "carts",
  {
    id: text("id").primaryKey(),
    patronId: integer("patron_id").references(() => patrons.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "number" }),
    /** Guest carts are purged by the nightly refresh after this instant; patron carts have none. */
    expiresAt: integer("expires_at", { mode: "number" }),
    /** A guest cart's client address group (SHA-256 of it), so one address cannot make carts without bound. */
    addressKey: text("address_key"),
  },
  (t) => [
    uniqueIndex("carts_patron_idx").on(t.patronId),
    index("carts_expires_idx").on(t.expiresAt),
    index("carts_address_idx").on(t.addressKey, t.createdAt),
  ],
);

export const cartItems = sqliteTable(
  "cart_items",
  {
    cartId: text("cart_id")
      .notNull()
      .references(() => carts.id, { onDelete: "cascade" }),
    materialId: integer("material_id")
      .notNull()
      .references(() => materials.id),
    pickupBranch: text("pickup_branch")
      .notNull()
      .references(() => branches.code),
    addedAt: integer("added_at", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.cartId, t.materialId] })],
);

/**
 * Login attempt counters per client address (IPv6 by /64) and per (keyed hash of a) tried password; the
 * per-card count lives in the patron's Durable Object. Waits derive from the count (domain/throttle.ts).
 */
export const authThrottle = sqliteTable(
  "auth_throttle",
  {
    key: text("key").primaryKey(),
    failures: integer("failures").notNull().default(0),
    lastFailureAt: integer("last_failure_at", { mode: "number" }).notNull(),
  },
  (t) => [index("auth_throttle_last_idx").on(t.lastFailureAt)],
);

/** Mail outbox: every message the library sends, with its delivery state; the idempotency key stops doubles. */
export const mailOutbox = sqliteTable(
  "mail_outbox",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    idempotencyKey: text("idempotency_key").notNull(),
    patronId: integer("patron_id").references(() => patrons.id),
    toAddress: text("to_address").notNull(),
    subject: text("subject").notNull(),
    body: text("body").notNull(),
    kind: text("kind", { enum: OUTBOX_KINDS }).notNull(),
    status: text("status", { enum: OUTBOX_STATUSES }).notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    providerMessageId: text("provider_message_id"),
    createdAt: createdAt(),
    sentAt: integer("sent_at", { mode: "number" }),
    /** When the provider refused it for good ('dead') or reported a bounce ('bounced'): shown to staff and the patron. */
    failedAt: integer("failed_at", { mode: "number" }),
  },
  (t) => [
    uniqueIndex("mail_outbox_idempotency_idx").on(t.idempotencyKey),
    index("mail_outbox_status_idx").on(t.status, t.createdAt),
    // The nightly refresh deletes old messages (they name titles beside an address).
    index("mail_outbox_created_idx").on(t.createdAt),
    index("mail_outbox_patron_idx").on(t.patronId, t.createdAt),
    // The provider's delivery events (bounces) name its message id.
    index("mail_outbox_provider_idx").on(t.providerMessageId),
    check("mail_outbox_kind_check", sql`${t.kind} in (${inList(OUTBOX_KINDS)})`),
    check("mail_outbox_status_check", sql`${t.status} in (${inList(OUTBOX_STATUSES)})`),
  ],
);

/** Audit log of staff and system actions: who, what, when; never a password, token or title beside a card. */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at", { mode: "number" }).notNull(),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    detail: text("detail"),
  },
  (t) => [index("audit_log_at_idx").on(t.at)],
);

/** Runs of the acceptance and nightly jobs, one per job and business date, so a rerun changes nothing. */
/**
 * The transactional outbox: a request for a patron's mail, written in the same batch as the status change
 * that causes it (a decision of the acceptance, a hold), so no decided reservation's mail can be lost to a
 * crash. The mail consumer, or the nightly refresh for what it missed, turns it into a `mail_outbox` row
 * (or finds none is due: 連絡不要, a temporary address) and sets `done_at`.
 */
export const mailRequests = sqliteTable(
  "mail_requests",
  {
    /** The mail's own idempotency key (`accepted:42`, `hold_ready:42:<held_at>`). */
    key: text("key").primaryKey(),
    kind: text("kind", { enum: MAIL_KINDS }).notNull(),
    reservationId: integer("reservation_id").notNull(),
    requestedAt: integer("requested_at", { mode: "number" }).notNull(),
    doneAt: integer("done_at", { mode: "number" }),
  },
  (t) => [
    index("mail_requests_pending_idx").on(t.doneAt, t.requestedAt),
    check("mail_requests_kind_check", sql`${t.kind} in (${inList(MAIL_KINDS)})`),
  ],
);

export const jobRuns = sqliteTable(
  "job_runs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    job: text("job", { enum: ["acceptance", "nightly"] }).notNull(),
    businessDate: text("business_date").notNull(),
    /** Which of the day's acceptance runs ('08:30'); '' for the nightly refresh. */
    slot: text("slot").notNull().default(""),
    /** The run's cut-off: the cron's time, or that morning's time in a rehearsal (jobs/rehearsal.ts). */
    startedAt: integer("started_at", { mode: "number" }).notNull(),
    finishedAt: integer("finished_at", { mode: "number" }),
    /** Time the run took, measured by the clock on the wall (a rehearsal's started_at is in the future). */
    durationMs: integer("duration_ms", { mode: "number" }),
    summary: text("summary"),
    /** The last failure of an unfinished run (error name and message, no personal data). */
    error: text("error"),
  },
  (t) => [
    uniqueIndex("job_runs_job_date_slot_idx").on(t.job, t.businessDate, t.slot),
    check("job_runs_job_check", sql`${t.job} in ('acceptance', 'nightly')`),
  ],
);

/**
 * Imports of the library's own data (docs/imports.md): one file each, read in slices through the import
 * queue. `offset` is the byte where the next slice starts, written in the same batch as the slice's rows,
 * so a crash or a redeploy resumes where the last slice ended.
 */
export const importRuns = sqliteTable(
  "import_runs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    kind: text("kind", { enum: IMPORT_KINDS }).notNull(),
    format: text("format", { enum: ["iso2709", "marcxml", "csv", "tsv"] }).notNull(),
    /** Where the file came from: the staff page, the staff API or the nightly drop in R2. */
    origin: text("origin", { enum: ["page", "api", "r2"] }).notNull(),
    objectKey: text("object_key").notNull(),
    etag: text("etag"),
    fileName: text("file_name").notNull(),
    size: integer("size").notNull(),
    dryRun: integer("dry_run", { mode: "boolean" }).notNull().default(false),
    /** A full export: what is absent from it is withdrawn (copies) or returned (loans). */
    full: integer("full", { mode: "boolean" }).notNull().default(false),
    status: text("status", { enum: IMPORT_STATUSES }).notNull().default("queued"),
    phase: text("phase", { enum: ["rows", "absent", "cleanup"] })
      .notNull()
      .default("rows"),
    offset: integer("offset").notNull().default(0),
    /** Lines (CSV) or records (MARC) read so far: the next row's number is this + 1. */
    line: integer("line").notNull().default(0),
    encoding: text("encoding"),
    /** The CSV header as read from the first line (JSON), and the column mapping in force (JSON). */
    header: text("header"),
    mapping: text("mapping"),
    added: integer("added").notNull().default(0),
    updated: integer("updated").notNull().default(0),
    unchanged: integer("unchanged").notNull().default(0),
    withdrawn: integer("withdrawn").notNull().default(0),
    returned: integer("returned").notNull().default(0),
    rejected: integer("rejected").notNull().default(0),
    /** MARC records list their copies: those are counted apart from the records. */
    copiesAdded: integer("copies_added").notNull().default(0),
    copiesUpdated: integer("copies_updated").notNull().default(0),
    copiesUnchanged: integer("copies_unchanged").notNull().default(0),
    error: text("error"),
    actor: text("actor").notNull(),
    createdAt: createdAt(),
    startedAt: integer("started_at", { mode: "number" }),
    finishedAt: integer("finished_at", { mode: "number" }),
    updatedAt: integer("updated_at", { mode: "number" }),
  },
  (t) => [
    // The nightly pickup makes one run per dropped file version.
    uniqueIndex("import_runs_object_idx").on(t.objectKey, t.etag),
    index("import_runs_status_idx").on(t.status, t.updatedAt),
    check("import_runs_kind_check", sql`${t.kind} in (${inList(IMPORT_KINDS)})`),
    check("import_runs_status_check", sql`${t.status} in (${inList(IMPORT_STATUSES)})`),
  ],
);

/** Rows an import skipped, with the line (or record) number and a Japanese reason; kept 14 days. */
export const importRejects = sqliteTable(
  "import_rejects",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    runId: integer("run_id")
      .notNull()
      .references(() => importRuns.id, { onDelete: "cascade" }),
    line: integer("line").notNull(),
    /** The row's key in the library's system (record id, barcode, card number), when it had one. */
    key: text("key"),
    reason: text("reason").notNull(),
  },
  (t) => [index("import_rejects_run_idx").on(t.runId, t.line)],
);

/** One row per slice done: written first in the slice's batch, so a slice delivered twice is applied once. */
export const importChunks = sqliteTable(
  "import_chunks",
  {
    runId: integer("run_id").notNull(),
    offset: integer("offset").notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.offset] })],
);

/** Keys seen by a running import: duplicates across the file, and what a full export left out. */
export const importSeen = sqliteTable(
  "import_seen",
  {
    runId: integer("run_id").notNull(),
    key: text("key").notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.key] })],
);

/** A library's own column names and values for each CSV kind (docs/imports.md), set by staff. */
export const importMappings = sqliteTable("import_mappings", {
  kind: text("kind", { enum: IMPORT_KINDS }).primaryKey(),
  mapping: text("mapping").notNull(),
  updatedAt: integer("updated_at", { mode: "number" }).notNull(),
});

/**
 * 予約申請 answered once per key: an apply with an `Idempotency-Key` (the API) or the confirmation form's
 * key (pages) keeps its outcome here, written in the same batch as the reservations it made, so a retry
 * (a double tap, a lost answer on a slow line) gets the first answer and applies nothing more. Kept a day.
 */
export const applyKeys = sqliteTable(
  "apply_keys",
  {
    patronId: integer("patron_id")
      .notNull()
      .references(() => patrons.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    /** The outcome as JSON: {"ok":true,"ids":[…]} or the refusal. */
    outcome: text("outcome").notNull(),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.patronId, t.key] }), index("apply_keys_created_idx").on(t.createdAt)],
);

/**
 * シリーズ予約 / 読みたい順: volumes (or any list) a patron wants in order. `in_order`: only the next one is
 * applied, when the one before it is finished (collected, or ended otherwise); `together`: all applied at
 * once, to be collected together. Items not yet applied do not count toward the limit.
 */
export const series = sqliteTable(
  "series",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    patronId: integer("patron_id")
      .notNull()
      .references(() => patrons.id, { onDelete: "cascade" }),
    pickupBranch: text("pickup_branch")
      .notNull()
      .references(() => branches.code),
    mode: text("mode", { enum: ["in_order", "together"] }).notNull(),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
    /** The patron stopped it: items not yet applied never will be. */
    stoppedAt: integer("stopped_at", { mode: "number" }),
  },
  (t) => [index("series_patron_idx").on(t.patronId), check("series_mode_check", sql`${t.mode} in ('in_order', 'together')`)],
);

export const seriesItems = sqliteTable(
  "series_items",
  {
    seriesId: integer("series_id")
      .notNull()
      .references(() => series.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    materialId: integer("material_id")
      .notNull()
      .references(() => materials.id),
    /** The reservation made for it, once applied. */
    reservationId: integer("reservation_id").references(() => reservations.id),
    /** Passed over when its turn came: it could not be reserved then (a refusal code). */
    skippedReason: text("skipped_reason"),
  },
  (t) => [primaryKey({ columns: [t.seriesId, t.position] }), index("series_items_reservation_idx").on(t.reservationId)],
);

/** お知らせ: staff-written notices on the top page, shown from `from` through `until` (business dates). */
export const notices = sqliteTable(
  "notices",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    title: text("title").notNull(),
    body: text("body").notNull(),
    from: text("from_date").notNull(),
    until: text("until_date").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("notices_until_idx").on(t.until, t.from), check("notices_range_check", sql`${t.from} <= ${t.until}`)],
);

/**
 * ランキング: the most reserved and most borrowed materials of the last RANKING_DAYS days, overall
 * (branch '') and per branch, rewritten by the nightly refresh from counts alone: no patron in them.
 */
export const rankings = sqliteTable(
  "rankings",
  {
    kind: text("kind", { enum: ["reserved", "borrowed"] }).notNull(),
    branch: text("branch").notNull(),
    rank: integer("rank").notNull(),
    materialId: integer("material_id")
      .notNull()
      .references(() => materials.id, { onDelete: "cascade" }),
    count: integer("count").notNull(),
    computedOn: text("computed_on").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.kind, t.branch, t.rank] }),
    check("rankings_kind_check", sql`${t.kind} in ('reserved', 'borrowed')`),
  ],
);

/**
 * 読書記録: the returned loans of a patron who turned it on (patrons.reading_history_opt_in), kept for them
 * alone. Only the patron's own pages and /me API read it (dependency-cruiser keeps staff code away from
 * src/features/account/reading-record*); turning it off deletes every row. A title and author are copied,
 * so an entry outlives a withdrawn material; nothing links it back to a loan or a copy.
 */
export const readingRecords = sqliteTable(
  "reading_records",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    patronId: integer("patron_id")
      .notNull()
      .references(() => patrons.id, { onDelete: "cascade" }),
    materialId: integer("material_id"),
    title: text("title").notNull(),
    author: text("author"),
    loanedOn: text("loaned_on").notNull(),
    returnedOn: text("returned_on").notNull(),
  },
  (t) => [index("reading_records_patron_idx").on(t.patronId, t.returnedOn)],
);
