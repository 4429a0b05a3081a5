// One mail per event, whoever asks twice: the idempotency key of a patron's mail about a reservation.
/** 予約受付, 予約拒否, お取り置き, and a reservation cancelled at night after the patron's 不要になる日. */
export const MAIL_KINDS = ["accepted", "rejected", "hold_ready", "not_needed"] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

/** The opt-in reminders of an opening day's morning: 返却期限が近い, 延滞 (weekly), 取置期限が近い. */
export const REMINDER_KINDS = ["due_soon", "overdue", "hold_expiring"] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];

/** What an outbox row can be: one event's mail, a reminder, or a morning's digest listing several. */
export const OUTBOX_KINDS = [...MAIL_KINDS, ...REMINDER_KINDS, "digest"] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

/** 'bounced': the provider accepted it, then reported the recipient's server refused it. */
export const OUTBOX_STATUSES = ["queued", "sending", "sent", "failed", "dead", "recorded", "bounced"] as const;

/** 延滞のお知らせ again after this many days while the loan is still out. */
export const OVERDUE_EVERY_DAYS = 7;

/** `accepted:42`, `rejected:42`, `hold_ready:42:1764550800000` (a hold is keyed by when it was made: a second hold mails again). */
export const mailKey = (kind: MailKind | ReminderKind, id: number, suffix?: string): string =>
  suffix ? `${kind}:${id}:${suffix}` : `${kind}:${id}`;
