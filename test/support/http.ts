// Requests through the Worker's own fetch handler, as a browser or an API client would send them.
import { exports } from "cloudflare:workers";

export const BASE = "https://library.test";

export function call(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(`${BASE}${path}`, init));
}

export async function getJson<T = unknown>(path: string): Promise<{ status: number; body: T; res: Response }> {
  const res = await call(path);
  return { status: res.status, body: (await res.json()) as T, res };
}
