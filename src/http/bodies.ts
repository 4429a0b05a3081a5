// What a request body may be, checked before any route reads it: a size limit (small for patrons and
// login, larger only where staff upload files), JSON routes take only JSON, and a body that cannot be
// parsed is the contract's invalid_request — never a 500, never an action run with defaults.
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "../errors";

/** Patrons' forms and JSON, login, the cart: a few kilobytes at most. */
export const PATRON_BODY_LIMIT = 16 * 1024;
/** Staff forms and JSON. */
export const STAFF_BODY_LIMIT = 256 * 1024;
/** Files staff upload on the imports page (the form is read whole). */
export const UPLOAD_BODY_LIMIT = 32 * 1024 * 1024;
/** Files sent to the staff API: streamed to R2 as they come, up to what a Worker request may carry. */
export const API_UPLOAD_BODY_LIMIT = 100 * 1024 * 1024;

/** Staff imports of the library's own data, page or API: the only bodies that are files. */
const isUpload = (path: string) => /^\/(api\/v1\/)?admin\/imports(\/|$)/.test(path) && !path.includes("/imports/mappings/");

const limitOf = (path: string): number => {
  if (isUpload(path)) return path.startsWith("/api/") ? API_UPLOAD_BODY_LIMIT : UPLOAD_BODY_LIMIT;
  if (path.startsWith("/admin") || path.startsWith("/api/v1/admin")) return STAFF_BODY_LIMIT;
  return PATRON_BODY_LIMIT;
};

/** One body-limit middleware per limit, made once. */
const limiters = new Map(
  [PATRON_BODY_LIMIT, STAFF_BODY_LIMIT, UPLOAD_BODY_LIMIT, API_UPLOAD_BODY_LIMIT].map((max) => [
    max,
    bodyLimit({
      maxSize: max,
      onError: () => {
        throw new AppError("payload_too_large", `送信された内容が大きすぎます（上限 ${Math.round(max / 1024)} KB）。`);
      },
    }),
  ]),
);

/** 413 payload_too_large past the limit of the path, before the body is parsed. */
export const limitBodies: MiddlewareHandler = (c, next) => (limiters.get(limitOf(c.req.path)) as MiddlewareHandler)(c, next);

const WITH_BODY = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Whether the request carries a body at all (an empty POST to an action without input is fine). */
const hasBody = (req: Request) =>
  req.body !== null && (req.headers.has("transfer-encoding") || Number(req.headers.get("content-length") ?? "0") > 0);

/**
 * For the JSON API: a body must be JSON (`application/json`, any charset) — anything else answers 415
 * unsupported_media_type, so a text/plain body can never run an action with default values. Imports
 * take the file's own Content-Type (API.md).
 */
export const requireJsonBodies: MiddlewareHandler = async (c, next) => {
  if (WITH_BODY.has(c.req.method) && hasBody(c.req.raw) && !isJsonType(c.req.header("Content-Type")) && !isUpload(c.req.path)) {
    throw new AppError("unsupported_media_type", "JSON（Content-Type: application/json）で送信してください。");
  }
  await next();
};

const isJsonType = (type: string | undefined) => /^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type ?? "");
