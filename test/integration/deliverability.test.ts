// Mail that did not arrive, through the Worker: the provider's signed delivery events mark a sent mail
// 'bounced' (unsigned, forged or stale ones change nothing; a complaint is no failure); the outbox shows refusals and bounces per
// patron; staff list the patrons whose latest mail failed; the patron's 予約状況 says when, with the help link.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { signWebhook } from "../../src/mail/webhook";
import { loadCatalog } from "../support/catalog";
import { call } from "../support/http";
import { apiLogin, cookiesFrom, createPatron, formPost, withToken } from "../support/patrons";

beforeAll(loadCatalog);

const ADMIN = { Authorization: "Bearer test-admin-token" };
const SECRET = env.MAIL_WEBHOOK_SECRET;
let serial = 0;

/** An outbox row of the patron's, as the consumer leaves it. */
async function mailRow(
  patronId: number,
  status: "sent" | "dead" | "bounced",
  options: { to?: string; error?: string; at?: number; outage?: boolean } = {},
): Promise<{ id: number; providerId: string }> {
  serial += 1;
  const providerId = `re_${serial}_${Date.now()}`;
  const to =
    options.to ??
    (await env.DB.prepare("SELECT email FROM patrons WHERE id = ?").bind(patronId).first<{ email: string }>())?.email;
  const at = options.at ?? Date.now() - 60_000 + serial;
  const row = await env.DB.prepare(
    `INSERT INTO mail_outbox (idempotency_key, patron_id, to_address, subject, body, kind, status, attempts, provider_message_id,
       last_error, created_at, sent_at, failed_at)
     VALUES (?, ?, ?, '【みなみ市立図書館】予約受付のお知らせ', '本文', 'accepted', ?, 1, ?, ?, ?, ?, ?) RETURNING id`,
  )
    .bind(
      `test:${serial}:${Date.now()}`,
      patronId,
      to,
      status,
      providerId,
      options.error ?? null,
      at,
      status === "sent" ? at : null,
      // Given up after an outage's retries: dead without failed_at (not the address's fault).
      status === "sent" || options.outage ? null : at,
    )
    .first<{ id: number }>();
  return { id: row?.id as number, providerId };
}

async function hook(body: string, headers: Record<string, string>) {
  return call("/api/v1/hooks/mail", { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
}
async function signedHook(event: unknown, { secret = SECRET, at = Math.floor(Date.now() / 1000) } = {}) {
  const body = JSON.stringify(event);
  const id = `msg_${++serial}`;
  return hook(body, {
    "svix-id": id,
    "svix-timestamp": String(at),
    "svix-signature": await signWebhook(secret, id, at, body),
  });
}
const statusOf = async (id: number) =>
  env.DB.prepare("SELECT status, last_error AS error, failed_at AS failedAt FROM mail_outbox WHERE id = ?")
    .bind(id)
    .first<{ status: string; error: string | null; failedAt: number | null }>();

describe("the provider's delivery events", () => {
  it("a signed bounce marks the sent mail 'bounced' with the reason, addresses masked", async () => {
    const p = await createPatron({ mustChange: false });
    const { id, providerId } = await mailRow(p.id, "sent");
    const res = await signedHook({
      type: "email.bounced",
      created_at: new Date().toISOString(),
      data: { email_id: providerId, to: ["x@example.jp"], bounce: { message: "550 5.1.1 <x@example.jp>: user unknown" } },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, changed: true });
    const row = await statusOf(id);
    expect(row?.status).toBe("bounced");
    expect(row?.error).toBe("bounced: 550 5.1.1 <<address>>: user unknown");
    expect(row?.failedAt).toBeGreaterThan(Date.now() - 10_000);
  });

  it("unsigned, forged, stale or with another secret: 401 and nothing changes", async () => {
    const p = await createPatron({ mustChange: false });
    const { id, providerId } = await mailRow(p.id, "sent");
    const event = { type: "email.bounced", data: { email_id: providerId } };
    const body = JSON.stringify(event);
    const now = Math.floor(Date.now() / 1000);
    const attempts = [
      await hook(body, {}),
      await hook(body, { "svix-id": "m1", "svix-timestamp": String(now), "svix-signature": "v1,AAAA" }),
      await signedHook(event, { at: now - 10 * 60 }),
      await signedHook(event, { secret: "whsec_b3RoZXItc2VjcmV0LW9mLWFub3RoZXItZW5kcG9pbnQ=" }),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthenticated");
    }
    // A signed request whose body was changed on the way.
    const id2 = "m2";
    const signature = await signWebhook(SECRET, id2, now, body);
    const tampered = await hook(body.replace("bounced", "complained"), {
      "svix-id": id2,
      "svix-timestamp": String(now),
      "svix-signature": signature,
    });
    expect(tampered.status).toBe(401);
    expect((await statusOf(id))?.status).toBe("sent");
  });

  it("other events, unknown mail and a signed body that is no event: nothing changes", async () => {
    const p = await createPatron({ mustChange: false });
    const { id, providerId } = await mailRow(p.id, "sent");
    const delivered = await signedHook({ type: "email.delivered", data: { email_id: providerId } });
    expect(await delivered.json()).toEqual({ ok: true, changed: false });
    const unknown = await signedHook({ type: "email.bounced", data: { email_id: "re_nobody" } });
    expect(await unknown.json()).toEqual({ ok: true, changed: false });
    const malformed = await signedHook({ hello: "world" });
    expect(malformed.status).toBe(400);
    expect((await statusOf(id))?.status).toBe("sent");
    // A complaint is no failure to deliver (the mail arrived); an event about no mail is answered and ignored.
    const complained = await signedHook({ type: "email.complained", data: { email_id: providerId } });
    expect(await complained.json()).toEqual({ ok: true, changed: false });
    const domain = await signedHook({ type: "domain.updated", data: { id: "d_1" } });
    expect(domain.status).toBe(200);
    expect(await domain.json()).toEqual({ ok: true, changed: false });
    expect((await statusOf(id))?.status).toBe("sent");
  });
});

describe("staff see whose mail failed", () => {
  it("lists patrons whose latest mail bounced or was refused, not those reached since", async () => {
    const bounced = await createPatron({ mustChange: false });
    const refused = await createPatron({ mustChange: false });
    const recovered = await createPatron({ mustChange: false });
    const outage = await createPatron({ mustChange: false });
    await mailRow(outage.id, "dead", { error: "gave up after 6 attempts: 503 internal_server_error", outage: true });
    await mailRow(bounced.id, "sent");
    await mailRow(bounced.id, "bounced", { error: "bounced: mailbox full" });
    await mailRow(refused.id, "dead", { error: "422 validation_error: invalid `to` field" });
    await mailRow(recovered.id, "bounced", { error: "bounced: user unknown" });
    await mailRow(recovered.id, "sent");

    const res = await call("/api/v1/admin/mail/failures", { headers: ADMIN });
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as {
      items: Array<{ cardNumber: string; status: string; reason: string; failures: number; failedAt: string }>;
    };
    const cards = items.map((i) => i.cardNumber);
    expect(cards).toContain(bounced.cardNumber);
    expect(cards).toContain(refused.cardNumber);
    expect(cards).not.toContain(recovered.cardNumber);
    // The provider's outage is not the patron's address: not listed.
    expect(cards).not.toContain(outage.cardNumber);
    expect(items.find((i) => i.cardNumber === refused.cardNumber)).toMatchObject({
      status: "dead",
      reason: "422 validation_error: invalid `to` field",
      failures: 1,
    });
    expect(items.find((i) => i.cardNumber === bounced.cardNumber)?.failedAt).toMatch(/\+09:00$/);

    const login = await call("/admin/login", formPost({ staffName: "山田 司書", token: "test-admin-token" }));
    const staff = cookiesFrom(login);
    const page = await (await call("/admin/mail/failures", { headers: { Cookie: staff } })).text();
    expect(page).toContain(bounced.cardNumber);
    expect(page).toContain("不達（受信側が拒否）");
    expect(page).toContain("送信不能（再送しません）");
    expect(page).not.toContain("予約受付のお知らせ");
    // The outbox of one patron, with why each failed.
    const outbox = await (await call(`/admin/mail?patron=${refused.cardNumber}`, { headers: { Cookie: staff } })).text();
    expect(outbox).toContain("422 validation_error");
    const json = (await (await call(`/api/v1/admin/mail?patron=${refused.cardNumber}`, { headers: ADMIN })).json()) as Array<{
      cardNumber: string;
      error: string;
    }>;
    expect(json.map((r) => r.cardNumber)).toEqual([refused.cardNumber]);
    expect(json[0]?.error).toContain("invalid");
    // Not for patrons.
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    const { body } = await apiLogin(p, "192.0.2.91");
    expect((await call("/api/v1/admin/mail/failures", withToken(body.token as string, "GET"))).status).toBe(401);
  });
});

describe("the patron's 予約状況 says the mail did not arrive", () => {
  it("with the date and the mail help link, until a mail reaches them or the address changes", async () => {
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    const login = await call("/login", {
      ...formPost({ cardNumber: p.cardNumber, password: p.password }),
      headers: { ...(formPost({}).headers as Record<string, string>), "CF-Connecting-IP": "192.0.2.92" },
    });
    const cookie = cookiesFrom(login);
    const page = async () => (await call("/account/reservations", { headers: { Cookie: cookie } })).text();
    const { body } = await apiLogin(p, "192.0.2.93");
    const json = async () =>
      (
        (await (await call("/api/v1/me/reservations", withToken(body.token as string, "GET"))).json()) as {
          mailFailedAt: string | null;
        }
      ).mailFailedAt;

    expect(await page()).not.toContain("届きませんでした");
    expect(await json()).toBeNull();
    await mailRow(p.id, "bounced", { error: "bounced: user unknown" });
    const html = await page();
    expect(html).toContain("に図書館からお送りしたメールが、登録のメールアドレスに届きませんでした。");
    expect(html).toContain('href="/help/mail"');
    expect(await json()).toMatch(/\+09:00$/);

    // A later mail that arrived: the notice goes.
    await mailRow(p.id, "sent");
    expect(await page()).not.toContain("届きませんでした");
    // Given up after an outage's retries: not the address's fault, not told as such.
    await mailRow(p.id, "dead", { error: "gave up after 6 attempts: 503", outage: true });
    expect(await json()).toBeNull();
    // A failure to an address the patron has since changed is not theirs to fix.
    await mailRow(p.id, "dead", { to: "old-address@example.jp" });
    expect(await json()).toBeNull();
  });
});
