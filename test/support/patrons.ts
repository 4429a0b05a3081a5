// Patrons for tests: registered as the counter would (temporary credentials) or ready to use the web.
import { env } from "cloudflare:workers";
import { hashPassword } from "../../src/auth/password";
import { BASE, call } from "./http";

export interface TestPatron {
  id: number;
  cardNumber: string;
  password: string;
}

let serial = 0;

/** A new patron with a unique card number; by default with temporary credentials, web use enabled. */
export async function createPatron(
  options: {
    password?: string;
    mustChange?: boolean;
    webEnabled?: boolean;
    suspended?: boolean;
    contactMethod?: "mail" | "none";
  } = {},
): Promise<TestPatron> {
  serial += 1;
  const cardNumber = `39${String(Date.now() % 1e6).padStart(6, "0")}${String(serial).padStart(3, "0")}`;
  const password = options.password ?? "kari7391";
  const row = await env.DB.prepare(
    `INSERT INTO patrons (card_number, name, email, contact_method, password_hash, must_change_credentials, web_enabled, suspended, email_temporary)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?6) RETURNING id`,
  )
    .bind(
      cardNumber,
      `テスト 利用者${serial}`,
      `patron${serial}@example.jp`,
      options.contactMethod ?? "mail",
      await hashPassword(password, env.PASSWORD_PEPPER),
      (options.mustChange ?? true) ? 1 : 0,
      (options.webEnabled ?? true) ? 1 : 0,
      options.suspended ? 1 : 0,
    )
    .first<{ id: number }>();
  return { id: row?.id as number, cardNumber, password };
}

/** Logs in through the API (from its own client address, so throttles of other tests do not interfere). */
export async function apiLogin(
  p: { cardNumber: string; password: string },
  address = `10.0.${serial % 250}.${(Date.now() % 250) + 1}`,
) {
  const res = await call("/api/v1/session", {
    method: "POST",
    headers: { "content-type": "application/json", "CF-Connecting-IP": address },
    body: JSON.stringify({ cardNumber: p.cardNumber, password: p.password }),
  });
  return { res, body: (await res.json()) as { token?: string; mustChangeCredentials?: boolean; error?: { code: string } } };
}

/** A patron whose credentials are already changed, logged in: returns the bearer token. */
export async function readyPatron(): Promise<TestPatron & { token: string }> {
  const p = await createPatron({ mustChange: false, password: "Yomu2718" });
  const { body } = await apiLogin(p);
  if (!body.token) throw new Error("test patron could not log in");
  return { ...p, token: body.token };
}

/** JSON request with a bearer token. */
export function withToken(token: string, method: string, body?: unknown): RequestInit {
  return {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  };
}

/** Same-origin form post, as a browser sends it from our pages (Origin set), with cookies if given. */
export function formPost(fields: Record<string, string | string[]>, cookie?: string): RequestInit {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  return {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", Origin: BASE, ...(cookie ? { Cookie: cookie } : {}) },
    body,
    redirect: "manual",
  };
}

/** The cookies a response sets, as a Cookie header value. */
export function cookiesFrom(res: Response, previous = ""): string {
  const jar = new Map(
    previous
      .split("; ")
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)] as [string, string]),
  );
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const name = pair?.slice(0, pair.indexOf("=")) ?? "";
    const value = pair?.slice(pair.indexOf("=") + 1) ?? "";
    if (/max-age=0/i.test(line) || value === "") jar.delete(name);
    else jar.set(name, value);
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
}
