// One mail per event, whoever asks twice: the idempotency key of a patron's mail about a reservation.
export const MAIL_KINDS = ["accepted", "rejected", "hold_ready"] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

/** `accepted:42`, `rejected:42`, `hold_ready:42:1764550800000` (a hold is keyed by when it was made: a second hold mails again). */
export const mailKey = (kind: MailKind, reservationId: number, suffix?: string): string =>
  suffix ? `${kind}:${reservationId}:${suffix}` : `${kind}:${reservationId}`;
