// The mail queue as the tests drive it: every message the Worker sends is caught (send and sendBatch), then
// `drain` hands them to the Worker's queue() handler, again and again, until nothing new was sent.
import { createMessageBatch } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import worker from "../../src/index";

export function catchMailQueue() {
  const sent: unknown[] = [];
  const send = vi.spyOn(env.MAIL_QUEUE, "send").mockImplementation(async (body) => {
    sent.push(body);
    return {} as Awaited<ReturnType<Queue["send"]>>;
  });
  const sendBatch = vi.spyOn(env.MAIL_QUEUE, "sendBatch").mockImplementation(async (messages) => {
    for (const m of messages) sent.push(m.body);
    return {} as Awaited<ReturnType<Queue["sendBatch"]>>;
  });
  let serial = 0;
  return {
    sent,
    /** Delivers what was sent (and what that sends) until the queue is empty; returns every message delivered. */
    async drain(): Promise<unknown[]> {
      const delivered: unknown[] = [];
      while (sent.length > 0) {
        const bodies = sent.splice(0, sent.length);
        delivered.push(...bodies);
        const batch = createMessageBatch(
          "library-mail",
          bodies.map((body) => ({ id: `q${++serial}`, timestamp: new Date(), attempts: 1, body })),
        );
        await worker.queue(batch as MessageBatch<never>, env);
      }
      return delivered;
    },
    restore() {
      send.mockRestore();
      sendBatch.mockRestore();
    },
  };
}
