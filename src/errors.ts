// Expected failures as typed errors; app.ts maps them to the contract's JSON or a Japanese page.
import type { ContentfulStatusCode } from "hono/utils/http-status";

export type ErrorCode =
  | "invalid_request"
  | "unauthenticated"
  | "invalid_credentials"
  | "credentials_change_required"
  | "forbidden"
  | "not_found"
  | "not_reservable"
  | "quota_exceeded"
  | "already_reserved"
  | "invalid_state"
  | "not_renewable"
  | "payload_too_large"
  | "unsupported_media_type"
  | "too_many_attempts"
  | "rate_limited"
  | "configuration_error";

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  invalid_request: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  credentials_change_required: 403,
  forbidden: 403,
  not_found: 404,
  not_reservable: 409,
  quota_exceeded: 409,
  already_reserved: 409,
  invalid_state: 409,
  not_renewable: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_attempts: 429,
  rate_limited: 429,
  configuration_error: 503,
};

export class AppError extends Error {
  readonly status: ContentfulStatusCode;
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra members of the error object, e.g. `fields` or `remaining`. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

export const invalidRequest = (fields: Record<string, string>, message = "入力内容に誤りがあります。") =>
  new AppError("invalid_request", message, { fields });

export const notFound = (message = "お探しのページは見つかりませんでした。") => new AppError("not_found", message);
