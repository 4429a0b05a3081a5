// Password hashing: PBKDF2-SHA256 over an HMAC of the password with a pepper (a Worker secret, never in D1),
// a per-patron salt, and the parameters stored in the hash string so they can be raised later.

/** The platform refuses more than 100,000 PBKDF2 iterations per call in production. */
export const PBKDF2_ITERATIONS = 100_000;
const SCHEME = "pbkdf2-sha256";

const enc = new TextEncoder();
const b64 = (bytes: ArrayBuffer | Uint8Array) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
const unb64 = (text: string) => Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));

async function peppered(password: string, pepper: string): Promise<ArrayBuffer> {
  const key = await crypto.subtle.importKey("raw", enc.encode(pepper), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", key, enc.encode(password));
}

async function derive(password: string, pepper: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<ArrayBuffer> {
  const key = await crypto.subtle.importKey("raw", await peppered(password, pepper), "PBKDF2", false, ["deriveBits"]);
  return crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
}

export async function hashPassword(password: string, pepper: string, iterations = PBKDF2_ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(password, pepper, salt, iterations);
  return `${SCHEME}$${iterations}$${b64(salt)}$${b64(hash)}`;
}

/** Constant-time comparison of a password with a stored hash string. */
export async function verifyPassword(password: string, stored: string, pepper: string): Promise<boolean> {
  const [scheme, iter, salt, expected] = stored.split("$");
  const iterations = Number(iter);
  if (scheme !== SCHEME || !salt || !expected || !Number.isInteger(iterations) || iterations > PBKDF2_ITERATIONS) return false;
  const actual = new Uint8Array(await derive(password, pepper, unb64(salt), iterations));
  const want = unb64(expected);
  if (actual.length !== want.length) return false;
  let diff = 0;
  for (let i = 0; i < actual.length; i++) diff |= (actual[i] as number) ^ (want[i] as number);
  return diff === 0;
}
