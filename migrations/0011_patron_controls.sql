ALTER TABLE `branches` ADD `address` text;--> statement-breakpoint
ALTER TABLE `branches` ADD `phone` text;--> statement-breakpoint
ALTER TABLE `branches` ADD `hours` text;--> statement-breakpoint
ALTER TABLE `loans` ADD `renewed_at` integer;--> statement-breakpoint
ALTER TABLE `patrons` ADD `default_pickup_branch` text REFERENCES branches(code);--> statement-breakpoint
ALTER TABLE `patrons` ADD `mail_without_titles` integer;--> statement-breakpoint
ALTER TABLE `reservations` ADD `suspended_until` text;--> statement-breakpoint
ALTER TABLE `reservations` ADD `not_needed_after` text;--> statement-breakpoint
ALTER TABLE `reservations` ADD `hold_extended_at` integer;