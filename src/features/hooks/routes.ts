// POST /api/v1/hooks/mail: the mail provider's delivery events (bounces, complaints), signed with
// MAIL_WEBHOOK_SECRET. An unsigned or stale request is 401 and changes nothing; an event about no mail of
// ours, or one that is not a failure, is answered 200 and ignored (the provider would only retry it).
import { Hono } from "hono/tiny";
import type { AppEnv } from "../../env";
import { AppError, invalidRequest } from "../../errors";
import { recordDeliveryEvent } from "../../mail/failures";
import { maskAddresses } from "../../mail/provider";
import { deliveryEventOf, verifyWebhook } from "../../mail/webhook";

export const hookApi = new Hono<AppEnv>().post("/hooks/mail", async (c) => {
  const body = await c.req.text();
  const signed = await verifyWebhook(
    c.env.MAIL_WEBHOOK_SECRET ?? "",
    { id: c.req.header("svix-id"), timestamp: c.req.header("svix-timestamp"), signature: c.req.header("svix-signature") },
    body,
  );
  if (!signed) throw new AppError("unauthenticated", "署名を確認できませんでした。");
  let event: ReturnType<typeof deliveryEventOf>;
  try {
    event = deliveryEventOf(JSON.parse(body));
  } catch {
    event = null; // not JSON
  }
  if (event === null) throw invalidRequest({ body: "配信イベントの形式が正しくありません。" });
  // A signed event about no single mail (domain or contact events, if subscribed): nothing to do.
  if (!event) return c.json({ ok: true, changed: false });
  const changed = await recordDeliveryEvent(
    c.env.DB,
    { ...event, ...(event.detail ? { detail: maskAddresses(event.detail) } : {}) },
    Date.now(),
  );
  console.log("mail: delivery event", { type: event.type, changed });
  return c.json({ ok: true, changed });
});
