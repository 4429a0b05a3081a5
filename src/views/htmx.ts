// How a request came in: a full page load (also htmx's history restore) or an htmx swap of one part.
import type { Context } from "hono";

/** True when htmx asks for a part of the page; history restores and boosted full swaps get the whole page. */
export function isFragmentRequest(c: Context): boolean {
  return (
    c.req.header("HX-Request") === "true" &&
    c.req.header("HX-Request-Type") !== "full" &&
    c.req.header("HX-History-Restore-Request") !== "true"
  );
}
