-- D1 runs a migration in one transaction: foreign keys are checked at its end (nothing refers to mail_outbox).
PRAGMA defer_foreign_keys = on;--> statement-breakpoint
CREATE TABLE `__new_mail_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`idempotency_key` text NOT NULL,
	`patron_id` integer,
	`to_address` text NOT NULL,
	`subject` text NOT NULL,
	`body` text NOT NULL,
	`kind` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`provider_message_id` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`sent_at` integer,
	`failed_at` integer,
	FOREIGN KEY (`patron_id`) REFERENCES `patrons`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "mail_outbox_kind_check" CHECK("kind" in ('accepted', 'rejected', 'hold_ready', 'not_needed', 'due_soon', 'overdue', 'hold_expiring', 'digest')),
	CONSTRAINT "mail_outbox_status_check" CHECK("status" in ('queued', 'sending', 'sent', 'failed', 'dead', 'recorded', 'bounced'))
);
--> statement-breakpoint
INSERT INTO `__new_mail_outbox`("id", "idempotency_key", "patron_id", "to_address", "subject", "body", "kind", "status", "attempts", "last_error", "provider_message_id", "created_at", "sent_at") SELECT "id", "idempotency_key", "patron_id", "to_address", "subject", "body", "kind", "status", "attempts", "last_error", "provider_message_id", "created_at", "sent_at" FROM `mail_outbox`;--> statement-breakpoint
DROP TABLE `mail_outbox`;--> statement-breakpoint
ALTER TABLE `__new_mail_outbox` RENAME TO `mail_outbox`;--> statement-breakpoint
CREATE UNIQUE INDEX `mail_outbox_idempotency_idx` ON `mail_outbox` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `mail_outbox_status_idx` ON `mail_outbox` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `mail_outbox_created_idx` ON `mail_outbox` (`created_at`);--> statement-breakpoint
CREATE INDEX `mail_outbox_patron_idx` ON `mail_outbox` (`patron_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `mail_outbox_provider_idx` ON `mail_outbox` (`provider_message_id`);--> statement-breakpoint
ALTER TABLE `loans` ADD `due_reminded_for` text;--> statement-breakpoint
ALTER TABLE `loans` ADD `overdue_mailed_on` text;--> statement-breakpoint
CREATE INDEX `loans_open_due_idx` ON `loans` (`due_date`) WHERE "loans"."returned_at" is null;--> statement-breakpoint
ALTER TABLE `patrons` ADD `remind_due` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `patrons` ADD `remind_overdue` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `patrons` ADD `remind_hold` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `reservations` ADD `hold_reminded_for` text;