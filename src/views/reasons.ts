// The words for a reservation's reason code (予約拒否, a refused cancellation), one place for the pages,
// the JSON API's `reason` and the 予約拒否 mail.
import type { ReasonCode } from "../domain/eligibility";
import { NOT_RESERVABLE_MESSAGES } from "../domain/reservability";

export function reasonText(code: ReasonCode, limit: number): string {
  switch (code) {
    case "web_use_stopped":
      return "インターネット予約の利用が停止されています。窓口へお問い合わせください。";
    case "credentials_temporary":
      return "はじめに、メールアドレスとパスワードを変更してください。";
    case "card_expired":
      return "利用者カードの有効期限が切れています。窓口で更新してください。";
    case "latest_issue":
    case "reading_room_only":
    case "no_loanable_item":
      return `予約できない資料になりました。${NOT_RESERVABLE_MESSAGES[code]}`;
    case "duplicate":
      return "同じ資料をすでに予約しています。";
    case "over_limit":
      return `予約できる冊数（窓口での予約を含めて${limit}冊）を超えています。`;
    case "cancel_refused_on_hold":
      return "お取り置き済みのため、取消はお受けできませんでした。受取館へご連絡ください。";
    case "not_needed":
      return "ご指定の「不要になる日」を過ぎたため、取り消しました。";
  }
}

export const reasonOrNull = (code: ReasonCode | null, limit: number): string | null =>
  code === null ? null : reasonText(code, limit);
