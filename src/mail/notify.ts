// Asking for the mails of decided reservations without ever losing one: the request goes on the mail queue
// (expanded there, off the job's budget); if the queue cannot take it, the outbox rows are written here
// instead, and the nightly refresh puts any row still waiting back on the queue.
import type { DigestMessage, NotifyMessage } from "./messages";
import { mailForReservation } from "./outbox";

export async function requestMail(env: Env, messages: Array<NotifyMessage | DigestMessage>): Promise<void> {
  if (messages.length === 0) return;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      await env.MAIL_QUEUE.sendBatch(messages.map((body) => ({ body })));
      return;
    } catch (err) {
      console.error("mail queue refused a notify batch", attempt, err instanceof Error ? err.message : String(err));
    }
  }
  // A digest not queued is not lost: its requests stay unanswered until the nightly refresh asks again.
  for (const m of messages) {
    if (m.type === "digest") continue;
    for (const id of m.reservationIds) {
      try {
        await mailForReservation(env.DB, env, m.kind, id, m.baseUrl);
      } catch (err) {
        console.error("mail could not be recorded", id, err instanceof Error ? err.message : String(err));
      }
    }
  }
}
