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

/**
 * Asks for the one mail per patron of an acceptance run (mail/digest.ts): without `patronIds` the consumer
 * finds the patrons and splits the run into messages that name them.
 */
export interface DigestMessage {
  type: "digest";
  /** The run, e.g. "2026-12-03 07:30": part of the digest's idempotency key. */
  run: string;
  businessDate: string;
  /** The run's cut-off (ms): a redelivery queues again this patron's rows recorded since and still waiting. */
  since?: number;
  baseUrl: string;
  patronIds?: number[];
}
