// The provider's webhook signature (Standard Webhooks / Svix, as Resend signs), checked against the test
// vector published with the scheme, so our signing matches the provider's and not only itself.
import { describe, expect, it } from "vitest";
import { deliveryEventOf, signWebhook, verifyWebhook } from "../../src/mail/webhook";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const AT = 1614265330;
const BODY = '{"test": 2432232314}';
const SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

describe("webhook signatures", () => {
  it("signs the published test vector as the scheme says", async () => {
    expect(await signWebhook(SECRET, ID, AT, BODY)).toBe(SIGNATURE);
  });

  it("verifies it within five minutes, with several signatures listed, and nothing else", async () => {
    const headers = { id: ID, timestamp: String(AT), signature: SIGNATURE };
    expect(await verifyWebhook(SECRET, headers, BODY, AT + 60)).toBe(true);
    expect(await verifyWebhook(SECRET, { ...headers, signature: `v1,bm90LWl0 ${SIGNATURE}` }, BODY, AT)).toBe(true);
    expect(await verifyWebhook(SECRET, headers, BODY, AT + 301)).toBe(false);
    expect(await verifyWebhook(SECRET, headers, `${BODY} `, AT)).toBe(false);
    expect(await verifyWebhook(SECRET, { ...headers, id: "msg_other" }, BODY, AT)).toBe(false);
    expect(await verifyWebhook("", headers, BODY, AT)).toBe(false);
    expect(await verifyWebhook("whsec_***not base64***", headers, BODY, AT)).toBe(false);
    expect(await verifyWebhook(SECRET, { ...headers, timestamp: "soon" }, BODY, AT)).toBe(false);
  });

  it("reads the type, the provider's message id and the bounce message of an event", () => {
    expect(deliveryEventOf({ type: "email.bounced", data: { email_id: "re_1", bounce: { message: "550" } } })).toEqual({
      type: "email.bounced",
      providerMessageId: "re_1",
      detail: "550",
    });
    expect(deliveryEventOf({ type: "domain.updated", data: {} })).toBeUndefined();
    expect(deliveryEventOf({ hello: "world" })).toBeNull();
    expect(deliveryEventOf(null)).toBeNull();
  });
});
