// One mail per event, whoever asks twice: the idempotency key of a patron's mail about a reservation.
/** 予約受付, 予約拒否, お取り置き, and a reservation cancelled at night after the patron's 不要になる日. */
export const MAIL_KINDS = ["accepted", "rejected", "hold_ready", "not_needed"] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

/** `accepted:42`, `rejected:42`, `hold_ready:42:1764550800000` (a hold is keyed by when it was made: a second hold mails again). */
export const mailKey = (kind: MailKind, reservationId: number, suffix?: string): string =>
  suffix ? `${kind}:${reservationId}:${suffix}` : `${kind}:${reservationId}`;
