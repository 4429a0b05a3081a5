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
/** Files staff upload (imports of the library's own data). */
export const UPLOAD_BODY_LIMIT = 32 * 1024 * 1024;

const limitOf = (path: string): number => {
  if (/^\/(api\/v1\/)?admin\/imports(\/|$)/.test(path)) return UPLOAD_BODY_LIMIT;
  if (path.startsWith("/admin") || path.startsWith("/api/v1/admin")) return STAFF_BODY_LIMIT;
  return PATRON_BODY_LIMIT;
};

const tooLarge = (max: number) =>
  new AppError("payload_too_large", `送信された内容が大きすぎます（上限 ${Math.round(max / 1024)} KB）。`);

/** 413 payload_too_large past the limit of the path, before the body is parsed. */
export const limitBodies: MiddlewareHandler = async (c, next) => {
  const max = limitOf(c.req.path);
  return bodyLimit({
    maxSize: max,
    onError: () => {
      throw tooLarge(max);
    },
  })(c, next);
};

const WITH_BODY = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Whether the request carries a body at all (an empty POST to an action without input is fine). */
const hasBody = (req: Request) =>
  req.body !== null && (req.headers.has("transfer-encoding") || Number(req.headers.get("content-length") ?? "0") > 0);

/**
 * For the JSON API: a body must be JSON (`application/json`, any charset) — anything else answers 415
 * unsupported_media_type, so a text/plain body can never run an action with default values.
 */
export const requireJsonBodies: MiddlewareHandler = async (c, next) => {
  if (WITH_BODY.has(c.req.method) && hasBody(c.req.raw) && !isJsonType(c.req.header("Content-Type")) && !isUpload(c.req.path)) {
    throw new AppError("unsupported_media_type", "JSON（Content-Type: application/json）で送信してください。");
  }
  await next();
};

const isJsonType = (type: string | undefined) => /^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type ?? "");
/** Imports take the file's own type (API.md). */
const isUpload = (path: string) => /^\/api\/v1\/admin\/imports(\/|$)/.test(path);
