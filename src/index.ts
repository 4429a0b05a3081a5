// Worker entry: the Hono app for requests, the Cron Triggers for the morning acceptance and the nightly
// refresh, the mail queue consumers; Durable Object classes are exported for their bindings.
import { buildApp } from "./app";
import { consumeImports, IMPORT_QUEUE_NAME } from "./imports/consumer";
import { consumeDeadLetters, consumeMail, MAIL_DEAD_LETTER_QUEUE } from "./jobs/mail-consumer";
import { logJob, runJob } from "./jobs/run";
import { jobOfCron, scheduleOf } from "./jobs/schedule";

export { PatronObject } from "./objects/patron";

const app = buildApp();

/** A queue by its base name: staging and production append the environment ("library-imports-staging"). */
const isQueue = (env: Env, name: string, base: string) => name === base || name === `${base}-${env.ENVIRONMENT}`;

export default {
  fetch: app.fetch,
  // Cron Triggers run in UTC; the schedule (Tokyo times in wrangler.toml [vars]) says which job a cron is, and
  // runJob takes the Tokyo business date of the scheduled time. runJob logs the run as one JSON line.
  async scheduled(controller, env) {
    const scheduled = jobOfCron(scheduleOf(env), controller.cron);
    if (!scheduled) {
      logJob({ event: "job.unknown_cron", cron: controller.cron });
      return;
    }
    const options = { now: controller.scheduledTime, slot: scheduled.slot };
    if (scheduled.job === "acceptance") await runJob(env, "acceptance", options);
    else await runJob(env, "nightly", options);
  },
  // The mail queue, its dead-letter queue and the import queue (wrangler.toml [[queues.consumers]]).
  async queue(batch, env) {
    if (isQueue(env, batch.queue, IMPORT_QUEUE_NAME)) await consumeImports(batch, env);
    else if (isQueue(env, batch.queue, MAIL_DEAD_LETTER_QUEUE)) await consumeDeadLetters(batch, env);
    else await consumeMail(batch, env);
  },
} satisfies ExportedHandler<Env>;
