-- Reasons become codes (worded by the views and mail, src/views/reasons.ts): a new column, the existing
-- Japanese reasons converted by the wording the service wrote them with, then the old column goes.
ALTER TABLE `reservations` ADD `reason_code` text;
--> statement-breakpoint
UPDATE `reservations` SET `reason_code` = CASE
  WHEN `reason` LIKE 'インターネット予約の利用が停止%' THEN 'web_use_stopped'
  WHEN `reason` LIKE '利用者カードの有効期限%' THEN 'card_expired'
  WHEN `reason` LIKE '%雑誌の最新号%' THEN 'latest_issue'
  WHEN `reason` LIKE '%禁帯出%' THEN 'reading_room_only'
  WHEN `reason` LIKE '%貸出できる所蔵がない%' THEN 'no_loanable_item'
  WHEN `reason` LIKE '同じ資料をすでに予約%' THEN 'duplicate'
  WHEN `reason` LIKE '予約できる冊数%' THEN 'over_limit'
  WHEN `reason` LIKE 'お取り置き済みのため%' THEN 'cancel_refused_on_hold'
END
WHERE `reason` IS NOT NULL;
--> statement-breakpoint
ALTER TABLE `reservations` DROP COLUMN `reason`;
