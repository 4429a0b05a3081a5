// The messages on the mail queue, one definition for whoever sends them (the jobs, staff actions) and the
// consumer that reads them.
import type { MailKind } from "./templates";

/** Sends one outbox row: only its id, never the address or the text. */
export interface MailQueueMessage {
  outboxId: number;
}

/**
 * Asks the consumer to record the mails of decided reservations (the acceptance sends one per kind and
 * chunk, so the job itself does no mail work); expanded by `mailForReservation`, which is idempotent.
 */
export interface NotifyMessage {
  type: "notify";
  kind: MailKind;
  reservationIds: number[];
  baseUrl: string;
}
