// Mail to patrons, inside workerd against the real local D1: the outbox records each mail once, patrons who
// chose 連絡不要 get none, and the queue consumer sends through the provider (fetch intercepted) at most
// once, retrying what is worth retrying with backoff and giving up on the rest.
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { consumeDeadLetters, consumeMail, MAX_ATTEMPTS, type MailConsumerEnv, NOTIFY_SLICE } from "../../src/jobs/mail-consumer";
import { runNightly } from "../../src/jobs/nightly";
import type { NotifyMessage } from "../../src/mail/messages";
import { mailForReservation, recordMail, requeueWaiting } from "../../src/mail/outbox";
import { idOfTitle, loadCatalog } from "../support/catalog";
import { createPatron } from "../support/patrons";
import { insertReservation } from "../support/rows";

beforeAll(loadCatalog);
afterEach(() => {
  vi.restoreAllMocks();
});

const PROVIDER = "https://api.resend.test";
const SITE = "https://library.minami.example.jp";

interface OutboxRow {
  id: number;
  idempotencyKey: string;
  patronId: number;
  toAddress: string;
  subject: string;
  body: string;
  kind: string;
  status: string;
  attempts: number;
  lastError: string | null;
  providerMessageId: string | null;
  sentAt: number | null;
  failedAt: number | null;
}

const OUTBOX_COLUMNS = `id, idempotency_key AS idempotencyKey, patron_id AS patronId, to_address AS toAddress, subject, body, kind,
  status, attempts, last_error AS lastError, provider_message_id AS providerMessageId, sent_at AS sentAt, failed_at AS failedAt`;

async function outboxRow(id: number): Promise<OutboxRow> {
  const row = await env.DB.prepare(`SELECT ${OUTBOX_COLUMNS} FROM mail_outbox WHERE id = ?`).bind(id).first<OutboxRow>();
  if (!row) throw new Error(`no outbox row ${id}`);
  return row;
}

async function outboxOfPatron(patronId: number): Promise<OutboxRow[]> {
  const rows = await env.DB.prepare(`SELECT ${OUTBOX_COLUMNS} FROM mail_outbox WHERE patron_id = ? ORDER BY id`)
    .bind(patronId)
    .all<OutboxRow>();
  return rows.results;
}

/** The mail bindings with a queue whose send is a spy; a provider unless `provider: ""`. */
function mailEnv(provider = PROVIDER) {
  const send = vi.fn(async (_body: unknown) => {});
  const sendBatch = vi.fn(async (_messages: unknown[]) => {});
  const mail: MailConsumerEnv = {
    DB: env.DB,
    MAIL_QUEUE: { send, sendBatch } as unknown as Queue,
    MAIL_PROVIDER_URL: provider,
    MAIL_API_KEY: "test-mail-key",
    MAIL_FROM: env.MAIL_FROM,
    LIBRARY_NAME: env.LIBRARY_NAME,
    RESERVATION_LIMIT: env.RESERVATION_LIMIT,
    HOLD_DAYS: env.HOLD_DAYS,
    HOLD_EXTEND_DAYS: env.HOLD_EXTEND_DAYS,
    MAIL_WITHOUT_TITLES: env.MAIL_WITHOUT_TITLES,
    LOAN_DAYS: env.LOAN_DAYS,
    DUE_REMINDER_DAYS: env.DUE_REMINDER_DAYS,
    PUBLIC_BASE_URL: env.PUBLIC_BASE_URL,
    CATALOG_CACHE_SECONDS: env.CATALOG_CACHE_SECONDS,
    CATALOG_CHECK_SECONDS: env.CATALOG_CHECK_SECONDS,
  };
  return { env: mail, send, sendBatch };
}

let messageSerial = 0;

/** A queue message as the runtime hands it to the consumer, with ack/retry spies. */
function message(body: unknown, attempts = 1) {
  messageSerial += 1;
  return { id: `msg-${messageSerial}`, timestamp: new Date(), body, attempts, ack: vi.fn(), retry: vi.fn() };
}
type TestMessage = ReturnType<typeof message>;

function batchOf(messages: TestMessage[], queue = "library-mail"): MessageBatch<unknown> {
  return {
    queue,
    messages,
    metadata: { metrics: { backlogCount: messages.length, backlogBytes: 0 } },
    ackAll: vi.fn(),
    retryAll: vi.fn(),
  } as unknown as MessageBatch<unknown>;
}

/** One delivery of one message to the consumer. */
async function deliver(outboxId: number, mail: MailConsumerEnv, attempts = 1): Promise<TestMessage> {
  const m = message({ outboxId }, attempts);
  await consumeMail(batchOf([m]), mail);
  return m;
}

/** A patron with a fresh reservation of a classic, and a queued outbox row for its 予約受付 mail. */
async function queuedMail(): Promise<{ outboxId: number; patronId: number; email: string; reservationId: number }> {
  const patron = await createPatron({ mustChange: false });
  const reservationId = await insertReservation(patron.id, idOfTitle("坊っちゃん"), "reserved");
  const { env: mail } = mailEnv();
  const outboxId = await recordMail(env.DB, mail, {
    kind: "accepted",
    patronId: patron.id,
    reservationId,
    to: `patron-${patron.id}@example.jp`,
    subject: "【みなみ市立図書館】予約受付のお知らせ",
    body: "本文",
  });
  if (outboxId === null) throw new Error("not recorded");
  return { outboxId, patronId: patron.id, email: `patron-${patron.id}@example.jp`, reservationId };
}

const resendOk = (id = "re_0001") => Response.json({ id });
const resendError = (status: number, name: string, message: string, headers: Record<string, string> = {}) =>
  Response.json({ statusCode: status, name, message }, { status, headers });

describe("recordMail", () => {
  it("makes one row and one queue message however often the same mail is recorded", async () => {
    const patron = await createPatron({ mustChange: false });
    const reservationId = await insertReservation(patron.id, idOfTitle("こころ"), "reserved");
    const { env: mail, send } = mailEnv();
    const msg = {
      kind: "accepted" as const,
      patronId: patron.id,
      reservationId,
      to: "a@example.jp",
      subject: "件名",
      body: "本文",
    };
    const first = await recordMail(env.DB, mail, msg);
    const second = await recordMail(env.DB, mail, msg);
    expect(first).toBeTypeOf("number");
    expect(second).toBeNull();
    const rows = await outboxOfPatron(patron.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      idempotencyKey: `accepted:${reservationId}`,
      status: "queued",
      attempts: 0,
      kind: "accepted",
    });
    expect(send).toHaveBeenCalledTimes(1);
    expect(send).toHaveBeenCalledWith({ outboxId: first });
  });

  it("only records, and queues nothing, when no provider is configured", async () => {
    const patron = await createPatron({ mustChange: false });
    const reservationId = await insertReservation(patron.id, idOfTitle("門"), "rejected");
    const { env: mail, send } = mailEnv("");
    const id = await recordMail(env.DB, mail, {
      kind: "rejected",
      patronId: patron.id,
      reservationId,
      to: "a@example.jp",
      subject: "件名",
      body: "本文",
    });
    expect((await outboxRow(id as number)).status).toBe("recorded");
    expect(send).not.toHaveBeenCalled();
  });

  it("keeps the row 'queued' when the queue send fails, and requeueWaiting sends it later", async () => {
    const patron = await createPatron({ mustChange: false });
    const reservationId = await insertReservation(patron.id, idOfTitle("三四郎"), "reserved");
    const { env: mail, send, sendBatch } = mailEnv();
    send.mockRejectedValueOnce(new Error("queue unavailable"));
    vi.spyOn(console, "error").mockImplementation(() => {});
    const id = await recordMail(env.DB, mail, {
      kind: "accepted",
      patronId: patron.id,
      reservationId,
      to: "a@example.jp",
      subject: "s",
      body: "b",
    });
    expect((await outboxRow(id as number)).status).toBe("queued");

    const requeued = await requeueWaiting(env.DB, mail, 0, Date.now() + 60_000);
    expect(requeued).toBeGreaterThanOrEqual(1);
    const bodies = (sendBatch.mock.calls[0]?.[0] ?? []) as Array<{ body: { outboxId: number } }>;
    expect(bodies.map((m) => m.body.outboxId)).toContain(id);
  });
});

describe("mailForReservation", () => {
  it("records the 予約受付 mail to the patron's address with title, pickup library and 予約順位", async () => {
    const materialId = idOfTitle("それから");
    const earlier = await createPatron({ mustChange: false });
    await insertReservation(earlier.id, materialId, "reserved", { acceptedAt: Date.now() - 120_000 });
    const patron = await createPatron({ mustChange: false });
    const reservationId = await insertReservation(patron.id, materialId, "reserved", { pickupBranch: "kita" });
    const { env: mail, send } = mailEnv("");

    expect(await mailForReservation(env.DB, mail, "accepted", reservationId, SITE)).toBe(true);
    const [row, ...more] = await outboxOfPatron(patron.id);
    expect(more).toHaveLength(0);
    expect(row).toMatchObject({ kind: "accepted", status: "recorded", idempotencyKey: `accepted:${reservationId}` });
    expect(row?.toAddress).toMatch(/^patron\d+@example\.jp$/);
    expect(row?.subject).toBe("【みなみ市立図書館】予約受付のお知らせ");
    expect(row?.body).toMatch(/^テスト 利用者\d+ 様\n/);
    expect(row?.body).toContain("資料名：それから");
    expect(row?.body).toContain("受取館：北部分館");
    expect(row?.body).toContain("予約順位：2位");
    expect(row?.body).toContain(`${SITE}/account/reservations`);
    expect(send).not.toHaveBeenCalled();
  });

  it("leaves the title out (only its start and the count) for a patron who chose mail without titles", async () => {
    const patron = await createPatron({ mustChange: false });
    await env.DB.prepare("UPDATE patrons SET mail_without_titles = 1 WHERE id = ?").bind(patron.id).run();
    const reservationId = await insertReservation(patron.id, idOfTitle("それから"), "reserved", { pickupBranch: "kita" });
    const { env: mail } = mailEnv("");
    expect(await mailForReservation(env.DB, mail, "accepted", reservationId, SITE)).toBe(true);
    const [row] = await outboxOfPatron(patron.id);
    expect(row?.body).toContain("資料名：それ…（1点）");
    expect(row?.body).not.toContain("それから");
  });

  it("the nightly cancellation after 不要になる日 asks for the patron's mail in its own batch and names the date", async () => {
    const patron = await createPatron({ mustChange: false });
    const reservationId = await insertReservation(patron.id, idOfTitle("門"), "reserved");
    const yesterday = new Date(Date.now() + 9 * 3600_000 - 86_400_000).toISOString().slice(0, 10);
    await env.DB.prepare("UPDATE reservations SET not_needed_after = ? WHERE id = ?").bind(yesterday, reservationId).run();
    const told: number[][] = [];
    // A date no other test's nightly uses.
    await runNightly(env.DB, "2031-07-07", Date.now(), async (ids) => {
      told.push(ids);
    });
    expect(told.flat()).toContain(reservationId);
    const request = await env.DB.prepare("SELECT kind FROM mail_requests WHERE key = ?")
      .bind(`not_needed:${reservationId}`)
      .first();
    expect(request).toEqual({ kind: "not_needed" });
    const { env: mail } = mailEnv("");
    expect(await mailForReservation(env.DB, mail, "not_needed", reservationId, SITE)).toBe(true);
    const [row] = await outboxOfPatron(patron.id);
    expect(row?.subject).toBe("【みなみ市立図書館】予約を取り消しました（不要になる日を過ぎました）");
    expect(row?.body).toContain("資料名：門");
    expect(row?.body).toMatch(/ご指定の「不要になる日」（\d{4}年\d+月\d+日\(.\)）を過ぎたため/);
    // A waiting reservation is not told this (the mail fits only a reservation cancelled so).
    const other = await insertReservation(patron.id, idOfTitle("こころ"), "reserved");
    expect(await mailForReservation(env.DB, mail, "not_needed", other, SITE)).toBe(false);
  });

  it("records nothing when asked twice for the same mail", async () => {
    const patron = await createPatron({ mustChange: false });
    const reservationId = await insertReservation(patron.id, idOfTitle("草枕"), "reserved");
    const { env: mail, send } = mailEnv();
    expect(await mailForReservation(env.DB, mail, "accepted", reservationId, SITE)).toBe(true);
    expect(await mailForReservation(env.DB, mail, "accepted", reservationId, SITE)).toBe(false);
    expect(await outboxOfPatron(patron.id)).toHaveLength(1);
    expect(send).toHaveBeenCalledTimes(1);
  });

  it("records nothing for a patron whose contact method is 連絡不要 ('none')", async () => {
    const patron = await createPatron({ mustChange: false, contactMethod: "none" });
    const reservationId = await insertReservation(patron.id, idOfTitle("坊っちゃん"), "reserved");
    const { env: mail, send } = mailEnv();
    expect(await mailForReservation(env.DB, mail, "accepted", reservationId, SITE)).toBe(false);
    expect(await outboxOfPatron(patron.id)).toHaveLength(0);
    expect(send).not.toHaveBeenCalled();
  });

  it("records nothing for a patron without an e-mail address", async () => {
    const patron = await createPatron({ mustChange: false });
    await env.DB.prepare("UPDATE patrons SET email = NULL WHERE id = ?").bind(patron.id).run();
    const reservationId = await insertReservation(patron.id, idOfTitle("坊っちゃん"), "reserved");
    expect(await mailForReservation(env.DB, mailEnv().env, "accepted", reservationId, SITE)).toBe(false);
    expect(await outboxOfPatron(patron.id)).toHaveLength(0);
  });

  it("records the 予約拒否 mail with the reservation's reason", async () => {
    const patron = await createPatron({ mustChange: false });
    const reservationId = await insertReservation(patron.id, idOfTitle("門"), "rejected", { reasonCode: "over_limit" });
    expect(await mailForReservation(env.DB, mailEnv("").env, "rejected", reservationId, SITE)).toBe(true);
    const [row] = await outboxOfPatron(patron.id);
    expect(row?.kind).toBe("rejected");
    expect(row?.body).toContain("理由：予約できる冊数（窓口での予約を含めて10冊）を超えています。");
  });

  it("records the お取り置き mail with pickup library and deadline, once per hold (a second hold mails again)", async () => {
    const patron = await createPatron({ mustChange: false });
    const reservationId = await insertReservation(patron.id, idOfTitle("吾輩は猫である"), "on_hold", {
      pickupBranch: "umibe",
      holdUntil: "2026-12-05",
    });
    await env.DB.prepare("UPDATE reservations SET held_at = ? WHERE id = ?").bind(1_764_550_800_000, reservationId).run();
    const { env: mail } = mailEnv("");
    expect(await mailForReservation(env.DB, mail, "hold_ready", reservationId, SITE)).toBe(true);
    expect(await mailForReservation(env.DB, mail, "hold_ready", reservationId, SITE)).toBe(false);

    // The hold expired and the copy came back to this patron later: a new hold, a new mail.
    await env.DB.prepare("UPDATE reservations SET held_at = ?, hold_until = ? WHERE id = ?")
      .bind(1_765_000_000_000, "2026-12-12", reservationId)
      .run();
    expect(await mailForReservation(env.DB, mail, "hold_ready", reservationId, SITE)).toBe(true);

    const rows = await outboxOfPatron(patron.id);
    expect(rows.map((r) => r.idempotencyKey)).toEqual([
      `hold_ready:${reservationId}:1764550800000`,
      `hold_ready:${reservationId}:1765000000000`,
    ]);
    expect(rows[0]?.body).toContain("受取館：うみべ分館");
    expect(rows[0]?.body).toContain("取置期限：2026年12月5日(土)まで");
    expect(rows[0]?.body).toContain("利用者カード");
    expect(rows[1]?.body).toContain("取置期限：2026年12月12日(土)まで");
  });

  it("records no mail that does not fit the reservation's state (a hold mail for a waiting reservation)", async () => {
    const patron = await createPatron({ mustChange: false });
    const reservationId = await insertReservation(patron.id, idOfTitle("こころ"), "reserved");
    expect(await mailForReservation(env.DB, mailEnv("").env, "hold_ready", reservationId, SITE)).toBe(false);
    expect(await mailForReservation(env.DB, mailEnv("").env, "rejected", reservationId, SITE)).toBe(false);
    expect(await outboxOfPatron(patron.id)).toHaveLength(0);
  });
});

describe("consumeMail", () => {
  it("sends a queued mail through Resend with the Bearer key and the Idempotency-Key, and marks it sent", async () => {
    const { outboxId, email, reservationId } = await queuedMail();
    const fetchSpy = vi.spyOn(globalThis, "fetch").mockImplementation(async () => resendOk("re_sent_1"));
    const m = await deliver(outboxId, mailEnv().env);

    expect(fetchSpy).toHaveBeenCalledTimes(1);
    const [url, init] = fetchSpy.mock.calls[0] as [string, RequestInit];
    expect(url).toBe(`${PROVIDER}/emails`);
    expect(init.method).toBe("POST");
    const headers = new Headers(init.headers);
    expect(headers.get("Authorization")).toBe("Bearer test-mail-key");
    expect(headers.get("Idempotency-Key")).toBe(`accepted:${reservationId}`);
    expect(headers.get("Content-Type")).toBe("application/json");
    expect(init.signal).toBeInstanceOf(AbortSignal);
    expect(JSON.parse(init.body as string)).toEqual({
      from: env.MAIL_FROM,
      to: [email],
      subject: "【みなみ市立図書館】予約受付のお知らせ",
      text: "本文",
    });

    const row = await outboxRow(outboxId);
    expect(row).toMatchObject({ status: "sent", attempts: 1, providerMessageId: "re_sent_1", lastError: null });
    expect(row.sentAt).toBeTypeOf("number");
    expect(m.ack).toHaveBeenCalledTimes(1);
    expect(m.retry).not.toHaveBeenCalled();
  });

  it("after a 503 marks the row failed and retries with a delay; the redelivery sends it", async () => {
    const { outboxId } = await queuedMail();
    const fetchSpy = vi
      .spyOn(globalThis, "fetch")
      .mockImplementationOnce(async () => resendError(503, "internal_server_error", "Service Unavailable"))
      .mockImplementationOnce(async () => resendOk("re_after_503"));
    const mail = mailEnv().env;

    const first = await deliver(outboxId, mail);
    expect(await outboxRow(outboxId)).toMatchObject({ status: "failed", attempts: 1 });
    expect((await outboxRow(outboxId)).lastError).toContain("503");
    expect(first.retry).toHaveBeenCalledWith({ delaySeconds: 30 });
    expect(first.ack).not.toHaveBeenCalled();

    const second = await deliver(outboxId, mail, 2);
    expect(await outboxRow(outboxId)).toMatchObject({ status: "sent", attempts: 2, providerMessageId: "re_after_503" });
    expect(second.ack).toHaveBeenCalledTimes(1);
    expect(second.retry).not.toHaveBeenCalled();
    expect(fetchSpy).toHaveBeenCalledTimes(2);
  });

  it("retries a 429, waiting at least the provider's Retry-After", async () => {
    const { outboxId } = await queuedMail();
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      resendError(429, "rate_limit_exceeded", "Too many requests", { "Retry-After": "120" }),
    );
    const m = await deliver(outboxId, mailEnv().env);
    expect(await outboxRow(outboxId)).toMatchObject({ status: "failed", attempts: 1 });
    expect(m.retry).toHaveBeenCalledWith({ delaySeconds: 120 });
    expect(m.ack).not.toHaveBeenCalled();
  });

  it("backs off exponentially: the third failed call waits 120 s", async () => {
    const { outboxId } = await queuedMail();
    await env.DB.prepare("UPDATE mail_outbox SET status = 'failed', attempts = 2 WHERE id = ?").bind(outboxId).run();
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => resendError(502, "bad_gateway", "Bad Gateway"));
    const m = await deliver(outboxId, mailEnv().env, 3);
    expect(m.retry).toHaveBeenCalledWith({ delaySeconds: 120 });
  });

  it("gives up on a 400 at once: dead, acked, no retry, and no address in last_error", async () => {
    const { outboxId, email } = await queuedMail();
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      resendError(422, "validation_error", `Invalid \`to\` field: ${email} is not a valid address.`),
    );
    const m = await deliver(outboxId, mailEnv().env);
    const row = await outboxRow(outboxId);
    expect(row).toMatchObject({ status: "dead", attempts: 1 });
    // Refused for the address's sake: when, for staff and the patron (mail/failures.ts).
    expect(row.failedAt).toBeGreaterThan(Date.now() - 10_000);
    expect(row.lastError).toContain("422 validation_error");
    expect(row.lastError).not.toContain(email);
    expect(m.ack).toHaveBeenCalledTimes(1);
    expect(m.retry).not.toHaveBeenCalled();
  });

  it("gives up on a plain 400 too", async () => {
    const { outboxId } = await queuedMail();
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("bad request", { status: 400 }));
    const m = await deliver(outboxId, mailEnv().env);
    expect((await outboxRow(outboxId)).status).toBe("dead");
    expect(m.ack).toHaveBeenCalledTimes(1);
  });

  it("retries after a network error", async () => {
    const { outboxId } = await queuedMail();
    vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("Network connection lost."));
    const m = await deliver(outboxId, mailEnv().env);
    const row = await outboxRow(outboxId);
    expect(row).toMatchObject({ status: "failed", attempts: 1 });
    expect(row.lastError).toContain("network error");
    expect(m.retry).toHaveBeenCalledWith({ delaySeconds: 30 });
    expect(m.ack).not.toHaveBeenCalled();
  });

  it("retries after a timeout", async () => {
    const { outboxId } = await queuedMail();
    vi.spyOn(globalThis, "fetch").mockRejectedValue(new DOMException("The operation was aborted due to timeout", "TimeoutError"));
    const m = await deliver(outboxId, mailEnv().env);
    expect((await outboxRow(outboxId)).lastError).toBe("timeout");
    expect(m.retry).toHaveBeenCalledWith({ delaySeconds: 30 });
  });

  it("retries a 409 concurrent_idempotent_requests (the same key still in progress at Resend)", async () => {
    const { outboxId } = await queuedMail();
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      resendError(
        409,
        "concurrent_idempotent_requests",
        "Same idempotency key used while original request is still in progress.",
      ),
    );
    const m = await deliver(outboxId, mailEnv().env);
    expect((await outboxRow(outboxId)).status).toBe("failed");
    expect(m.retry).toHaveBeenCalledTimes(1);
  });

  it("never mails twice: a redelivered message for a sent row is acked without calling the provider", async () => {
    const { outboxId } = await queuedMail();
    const fetchSpy = vi.spyOn(globalThis, "fetch").mockImplementation(async () => resendOk("re_once"));
    const mail = mailEnv().env;
    await deliver(outboxId, mail);
    const again = await deliver(outboxId, mail, 2);
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    expect(again.ack).toHaveBeenCalledTimes(1);
    expect(again.retry).not.toHaveBeenCalled();
    expect(await outboxRow(outboxId)).toMatchObject({ status: "sent", attempts: 1, providerMessageId: "re_once" });
  });

  it("lets only one of two concurrent deliveries of the same row call the provider", async () => {
    const { outboxId } = await queuedMail();
    const fetchSpy = vi.spyOn(globalThis, "fetch").mockImplementation(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return resendOk("re_concurrent");
    });
    const mail = mailEnv().env;
    const a = message({ outboxId });
    const b = message({ outboxId });
    await Promise.all([consumeMail(batchOf([a]), mail), consumeMail(batchOf([b]), mail)]);
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    expect(a.ack).toHaveBeenCalledTimes(1);
    expect(b.ack).toHaveBeenCalledTimes(1);
    expect(await outboxRow(outboxId)).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("takes over a row left 'sending' by a delivery that died, on the message's redelivery only", async () => {
    const { outboxId } = await queuedMail();
    await env.DB.prepare("UPDATE mail_outbox SET status = 'sending', attempts = 1 WHERE id = ?").bind(outboxId).run();
    const fetchSpy = vi.spyOn(globalThis, "fetch").mockImplementation(async () => resendOk("re_taken_over"));
    const mail = mailEnv().env;

    const duplicate = await deliver(outboxId, mail, 1);
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(duplicate.ack).toHaveBeenCalledTimes(1);

    const redelivery = await deliver(outboxId, mail, 2);
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    expect(redelivery.ack).toHaveBeenCalledTimes(1);
    expect(await outboxRow(outboxId)).toMatchObject({ status: "sent", attempts: 2, providerMessageId: "re_taken_over" });
  });

  it(`marks the row dead when its attempts reach ${MAX_ATTEMPTS} (the queue's max_retries) instead of retrying`, async () => {
    const { outboxId } = await queuedMail();
    await env.DB.prepare("UPDATE mail_outbox SET status = 'failed', attempts = ? WHERE id = ?")
      .bind(MAX_ATTEMPTS - 1, outboxId)
      .run();
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      resendError(503, "internal_server_error", "Service Unavailable"),
    );
    const m = await deliver(outboxId, mailEnv().env, MAX_ATTEMPTS);
    const row = await outboxRow(outboxId);
    expect(row).toMatchObject({ status: "dead", attempts: MAX_ATTEMPTS, failedAt: null });
    expect(row.lastError).toContain(`gave up after ${MAX_ATTEMPTS} attempts`);
    expect(m.ack).toHaveBeenCalledTimes(1);
    expect(m.retry).not.toHaveBeenCalled();
  });

  it(`does not call the provider again for a failed row that already had ${MAX_ATTEMPTS} attempts`, async () => {
    const { outboxId } = await queuedMail();
    await env.DB.prepare("UPDATE mail_outbox SET status = 'failed', attempts = ? WHERE id = ?")
      .bind(MAX_ATTEMPTS, outboxId)
      .run();
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    const m = await deliver(outboxId, mailEnv().env, MAX_ATTEMPTS + 1);
    expect(fetchSpy).not.toHaveBeenCalled();
    expect((await outboxRow(outboxId)).status).toBe("dead");
    expect(m.ack).toHaveBeenCalledTimes(1);
  });

  it("acks a message whose row is gone (purged) and a malformed message, sending nothing", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    const gone = message({ outboxId: 999_999_999 });
    const junk = message({ hello: "world" });
    await consumeMail(batchOf([gone, junk]), mailEnv().env);
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(gone.ack).toHaveBeenCalledTimes(1);
    expect(junk.ack).toHaveBeenCalledTimes(1);
  });

  it("handles each message of a batch on its own: one sent, one retried", async () => {
    const ok = await queuedMail();
    const failing = await queuedMail();
    vi.spyOn(globalThis, "fetch").mockImplementation(async (_input, init) => {
      const to = (JSON.parse(String(init?.body)) as { to: string[] }).to[0];
      return to === failing.email ? resendError(500, "internal_server_error", "oops") : resendOk();
    });
    const a = message({ outboxId: ok.outboxId });
    const b = message({ outboxId: failing.outboxId });
    await consumeMail(batchOf([a, b]), mailEnv().env);
    expect(a.ack).toHaveBeenCalledTimes(1);
    expect(b.retry).toHaveBeenCalledTimes(1);
    expect((await outboxRow(ok.outboxId)).status).toBe("sent");
    expect((await outboxRow(failing.outboxId)).status).toBe("failed");
  });

  it("never logs the address, subject or body", async () => {
    const { outboxId, email } = await queuedMail();
    const logged: unknown[] = [];
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        logged.push(args);
      });
    }
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => resendError(422, "validation_error", `bad ${email}`));
    await deliver(outboxId, mailEnv().env);
    const text = JSON.stringify(logged);
    expect(logged.length).toBeGreaterThan(0);
    expect(text).not.toContain(email);
    expect(text).not.toContain("本文");
    expect(text).not.toContain("予約受付");
  });

  it("expands a notify message from the acceptance into one queued outbox row per reservation", async () => {
    const mailer = await createPatron({ mustChange: false });
    const quiet = await createPatron({ mustChange: false, contactMethod: "none" });
    const a = await insertReservation(mailer.id, idOfTitle("吾輩は猫である"), "reserved");
    const b = await insertReservation(quiet.id, idOfTitle("吾輩は猫である"), "reserved");
    const { env: mail, send } = mailEnv();
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    // Typed as the acceptance job (src/jobs/run.ts) sends it: the compiler checks the two agree.
    const body: NotifyMessage = { type: "notify", kind: "accepted", reservationIds: [a, b], baseUrl: SITE };
    const notify = message(body);
    await consumeMail(batchOf([notify]), mail);
    // Delivered again (at least once): nothing new.
    await consumeMail(batchOf([message(body, 2)]), mail);

    expect(notify.ack).toHaveBeenCalledTimes(1);
    expect(fetchSpy).not.toHaveBeenCalled();
    const rows = await outboxOfPatron(mailer.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "queued", kind: "accepted" });
    expect(await outboxOfPatron(quiet.id)).toHaveLength(0);
    expect(send).toHaveBeenCalledTimes(1);
    expect(send).toHaveBeenCalledWith({ outboxId: rows[0]?.id });
  });

  it(`splits a notify message of more than ${NOTIFY_SLICE} reservations into smaller ones before expanding`, async () => {
    const ids = Array.from({ length: 2 * NOTIFY_SLICE + 3 }, (_, i) => 900_000 + i);
    const { env: mail, send, sendBatch } = mailEnv();
    const notify = message({ type: "notify", kind: "rejected", reservationIds: ids, baseUrl: SITE });
    await consumeMail(batchOf([notify]), mail);
    const sent = (sendBatch.mock.calls[0]?.[0] ?? []) as Array<{ body: NotifyMessage }>;
    expect(sent.map((m) => m.body.reservationIds.length)).toEqual([NOTIFY_SLICE, NOTIFY_SLICE, 3]);
    expect(sent.flatMap((m) => m.body.reservationIds)).toEqual(ids);
    expect(sent.every((m) => m.body.kind === "rejected" && m.body.baseUrl === SITE)).toBe(true);
    expect(send).not.toHaveBeenCalled();
    expect(notify.ack).toHaveBeenCalledTimes(1);
  });
});

describe("consumeDeadLetters", () => {
  it("marks the rows of dead letters 'dead' but leaves a sent row sent", async () => {
    const stuck = await queuedMail();
    const sent = await queuedMail();
    await env.DB.prepare("UPDATE mail_outbox SET status = 'sent' WHERE id = ?").bind(sent.outboxId).run();
    const a = message({ outboxId: stuck.outboxId }, 7);
    const b = message({ outboxId: sent.outboxId }, 7);
    await consumeDeadLetters(batchOf([a, b], "library-mail-dlq"), env);
    expect(await outboxRow(stuck.outboxId)).toMatchObject({ status: "dead", lastError: "dead-letter queue" });
    expect((await outboxRow(sent.outboxId)).status).toBe("sent");
    expect(a.ack).toHaveBeenCalledTimes(1);
    expect(b.ack).toHaveBeenCalledTimes(1);
  });
});

describe("the Worker's queue handler", () => {
  it("routes library-mail-dlq to the dead-letter consumer", async () => {
    const { outboxId } = await queuedMail();
    const m = message({ outboxId }, 7);
    await worker.queue(batchOf([m], "library-mail-dlq"), env);
    expect((await outboxRow(outboxId)).status).toBe("dead");
    expect(m.ack).toHaveBeenCalledTimes(1);
  });

  it("knows an environment's own queue names: staging's dead letters come on library-mail-dlq-staging", async () => {
    const { outboxId } = await queuedMail();
    const m = message({ outboxId }, 7);
    await worker.queue(batchOf([m], "library-mail-dlq-staging"), { ...env, ENVIRONMENT: "staging" } as unknown as Env);
    expect((await outboxRow(outboxId)).status).toBe("dead");
  });

  it("routes library-mail to the sender; with no provider configured the row is only recorded", async () => {
    const { outboxId } = await queuedMail();
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    const m = message({ outboxId });
    await worker.queue(batchOf([m]), { ...env, MAIL_PROVIDER_URL: "" });
    expect(fetchSpy).not.toHaveBeenCalled();
    expect((await outboxRow(outboxId)).status).toBe("recorded");
    expect(m.ack).toHaveBeenCalledTimes(1);
  });
});

describe("the temporary address", () => {
  it("gets no mail: only an address the patron confirmed at the first change is written to", async () => {
    const patron = await createPatron();
    const id = await insertReservation(patron.id, 12, "reserved");
    expect(await mailForReservation(env.DB, env, "accepted", id, "https://library.test")).toBe(false);
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM mail_outbox WHERE patron_id = ?")
      .bind(patron.id)
      .first<{ n: number }>();
    expect(rows?.n).toBe(0);
  });
});
