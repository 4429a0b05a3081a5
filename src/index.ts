// Worker entry: the Hono app for requests, the Cron Triggers for the morning acceptance and the nightly
// refresh, the mail queue consumers; Durable Object classes are exported for their bindings.
import { buildApp } from "./app";
import { consumeImports, IMPORT_QUEUE_NAME } from "./imports/consumer";
import { consumeDeadLetters, consumeMail, MAIL_DEAD_LETTER_QUEUE } from "./jobs/mail-consumer";
import { jobOfCron, runJob } from "./jobs/run";

export { PatronObject } from "./objects/patron";

const app = buildApp();

export default {
  fetch: app.fetch,
  // Cron Triggers run in UTC; runJob takes the Tokyo business date of the scheduled time.
  async scheduled(controller, env) {
    const job = jobOfCron(env, controller.cron);
    if (!job) {
      console.error("scheduled: no job for cron", controller.cron);
      return;
    }
    const options = { now: controller.scheduledTime };
    try {
      const summary = job === "acceptance" ? await runJob(env, "acceptance", options) : await runJob(env, "nightly", options);
      console.log("scheduled", job, JSON.stringify(summary));
    } catch (err) {
      console.error("scheduled failed", job, err instanceof Error ? err.stack : String(err));
      throw err;
    }
  },
  // The mail queue, its dead-letter queue and the import queue (wrangler.toml [[queues.consumers]]).
  async queue(batch, env) {
    if (batch.queue === IMPORT_QUEUE_NAME) await consumeImports(batch, env);
    else if (batch.queue === MAIL_DEAD_LETTER_QUEUE) await consumeDeadLetters(batch, env);
    else await consumeMail(batch, env);
  },
} satisfies ExportedHandler<Env>;
