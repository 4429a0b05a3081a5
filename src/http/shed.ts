// Shed, don't queue: the Workers Rate Limiting binding per client address (IPv6 by /64) answers 429 with
// Retry-After before any work is done. Catalog reads get a generous budget (bursts of 30, 3 a second
// sustained); login, cart and apply a tighter one (30 a minute, above the login throttle's own 20). Requests without CF-Connecting-IP (tests through fetch,
// never on Cloudflare) are not limited.
import type { MiddlewareHandler } from "hono";
import { addressGroup } from "../auth/address";
import type { AppEnv } from "../env";
import { AppError } from "../errors";

type Budget = { binding: "BROWSE_LIMITER" | "ACTION_LIMITER"; period: number };

const BROWSE: Budget = { binding: "BROWSE_LIMITER", period: 10 };
const ACTION: Budget = { binding: "ACTION_LIMITER", period: 60 };

/** Which budget a request spends, if any (pages and their JSON alike). */
export function budgetOf(method: string, path: string): Budget | undefined {
  const p = path.startsWith("/api/v1/") ? path.slice(7) : path;
  if (method === "GET" && (p === "/search" || p === "/materials" || p.startsWith("/materials/"))) return BROWSE;
  if (method === "POST" && (p === "/login" || p === "/session" || p.startsWith("/cart") || p === "/me/reservations"))
    return ACTION;
  return undefined;
}

export const shedLoad: MiddlewareHandler<AppEnv> = async (c, next) => {
  const address = c.req.header("CF-Connecting-IP");
  const budget = address ? budgetOf(c.req.method, c.req.path) : undefined;
  if (budget && address) {
    const { success } = await c.env[budget.binding].limit({ key: addressGroup(address) });
    if (!success)
      throw new AppError("rate_limited", "アクセスが集中しているため、少し時間をおいてからもう一度お試しください。", {
        retryAfter: budget.period,
      });
  }
  await next();
};
