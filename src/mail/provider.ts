// The mail provider client: Resend's HTTP API (POST /emails), with its Idempotency-Key so a retried call
// never sends a second mail. It says whether a failure is worth retrying; the queue consumer decides when.

export interface ProviderSettings {
  /** The API's origin, e.g. https://api.resend.com (a trailing slash is ignored). */
  url: string;
  apiKey: string;
}

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  /** The outbox row's idempotency key: the provider answers a repeat with the first send's result. */
  idempotencyKey: string;
}

export type SendResult =
  | { ok: true; id: string | null }
  | {
      ok: false;
      retryable: boolean;
      /** The HTTP status, or 0 when no answer came (network error, timeout). */
      status: number;
      /** A short description for `last_error`: the provider's error name and message, addresses masked. */
      error: string;
      /** The provider's Retry-After, in seconds, when it gave one. */
      retryAfterSeconds?: number;
    };

/** Longer than any normal answer; short enough that a stuck call does not hold the queue batch. */
export const PROVIDER_TIMEOUT_MS = 10_000;

/** An e-mail address in a provider message would put personal data into `last_error`: mask it. */
export const maskAddresses = (s: string): string => s.replace(/[^\s<>"'`:;,()]+@[^\s<>"'`:;,()]+/g, "<address>");

const shorten = (s: string, max = 300): string => (s.length > max ? `${s.slice(0, max)}…` : s);

/**
 * 429 and 5xx are the provider's own trouble; 409 concurrent_idempotent_requests means a send with the same
 * key is still running (Resend says to try again later). Every other 4xx is our request's fault and will
 * fail the same way again (invalid address, bad key, key reused with another payload).
 */
function isRetryable(status: number, name: string): boolean {
  if (status === 429 || status >= 500) return true;
  return status === 409 && name === "concurrent_idempotent_requests";
}

function retryAfter(res: Response): number | undefined {
  const value = res.headers.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** Sends one mail through Resend. Never throws: every outcome is a SendResult. */
export async function sendWithResend(settings: ProviderSettings, mail: OutgoingMail): Promise<SendResult> {
  let res: Response;
  try {
    res = await fetch(`${settings.url.replace(/\/+$/, "")}/emails`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${settings.apiKey}`,
        "Content-Type": "application/json",
        "Idempotency-Key": mail.idempotencyKey,
      },
      body: JSON.stringify({ from: mail.from, to: [mail.to], subject: mail.subject, text: mail.text }),
      signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
    });
  } catch (err) {
    const name = err instanceof Error ? err.name : "Error";
    const error = name === "TimeoutError" || name === "AbortError" ? "timeout" : `network error: ${name}`;
    return { ok: false, retryable: true, status: 0, error };
  }

  const text = await res.text().catch(() => "");
  let json: { id?: unknown; name?: unknown; message?: unknown } = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    // Not JSON (a proxy's error page): the status decides.
  }

  if (res.ok) return { ok: true, id: typeof json.id === "string" && json.id ? json.id : null };

  const name = typeof json.name === "string" ? json.name : "";
  const message = typeof json.message === "string" ? json.message : res.statusText;
  const after = retryAfter(res);
  return {
    ok: false,
    retryable: isRetryable(res.status, name),
    status: res.status,
    error: shorten(maskAddresses(`${res.status}${name ? ` ${name}` : ""}${message ? `: ${message}` : ""}`)),
    ...(after === undefined ? {} : { retryAfterSeconds: after }),
  };
}
