// The provider's delivery events (Resend sends them signed the Standard Webhooks / Svix way): the body is
// trusted only when `svix-signature` holds an HMAC-SHA256 of "<svix-id>.<svix-timestamp>.<body>" under the
// endpoint's secret (whsec_<base64>) and the timestamp is within five minutes. WebCrypto does the HMAC, so no
// package is needed for twenty lines.
const TOLERANCE_SECONDS = 5 * 60;

const fromBase64 = (s: string): Uint8Array => Uint8Array.from(atob(s), (ch) => ch.charCodeAt(0));
const toBase64 = (bytes: ArrayBuffer): string => btoa(String.fromCharCode(...new Uint8Array(bytes)));

/** The signature header value for a body: what the provider sends, and what the tests sign with. */
export async function signWebhook(secret: string, id: string, timestamp: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    fromBase64(secret.replace(/^whsec_/, "")),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${id}.${timestamp}.${body}`));
  return `v1,${toBase64(mac)}`;
}

/** Whether the headers sign this body with the secret, now. Constant-time enough: both sides are MACs. */
export async function verifyWebhook(
  secret: string,
  headers: { id?: string; timestamp?: string; signature?: string },
  body: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<boolean> {
  const { id, timestamp, signature } = headers;
  if (!secret.trim() || !id || !timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > TOLERANCE_SECONDS) return false;
  let expected: string;
  try {
    expected = await signWebhook(secret, id, Number(timestamp), body);
  } catch {
    return false; // a secret that is not base64
  }
  const wanted = new TextEncoder().encode(expected);
  return signature.split(" ").some((candidate) => {
    const got = new TextEncoder().encode(candidate);
    if (got.length !== wanted.length) return false;
    let diff = 0;
    for (let i = 0; i < got.length; i++) diff |= (got[i] as number) ^ (wanted[i] as number);
    return diff === 0;
  });
}

/**
 * The parts of an event this service reads: its type, the provider's message id and a reason if any.
 * null: not an event at all (no type); undefined: an event about no single mail (a domain or contact event).
 */
export function deliveryEventOf(body: unknown): { type: string; providerMessageId: string; detail?: string } | null | undefined {
  const e = body as {
    type?: unknown;
    data?: { email_id?: unknown; bounce?: { message?: unknown }; failed?: { reason?: unknown } };
  } | null;
  if (typeof e?.type !== "string") return null;
  if (typeof e.data?.email_id !== "string") return undefined;
  const detail = e.data.bounce?.message ?? e.data.failed?.reason;
  return { type: e.type, providerMessageId: e.data.email_id, ...(typeof detail === "string" ? { detail } : {}) };
}
