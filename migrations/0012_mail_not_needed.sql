-- D1 runs a migration in one transaction: foreign keys are checked at its end (nothing refers to these tables).
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
	FOREIGN KEY (`patron_id`) REFERENCES `patrons`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "mail_outbox_kind_check" CHECK("kind" in ('accepted', 'rejected', 'hold_ready', 'not_needed')),
	CONSTRAINT "mail_outbox_status_check" CHECK("status" in ('queued', 'sending', 'sent', 'failed', 'dead', 'recorded'))
);
--> statement-breakpoint
INSERT INTO `__new_mail_outbox`("id", "idempotency_key", "patron_id", "to_address", "subject", "body", "kind", "status", "attempts", "last_error", "provider_message_id", "created_at", "sent_at") SELECT "id", "idempotency_key", "patron_id", "to_address", "subject", "body", "kind", "status", "attempts", "last_error", "provider_message_id", "created_at", "sent_at" FROM `mail_outbox`;--> statement-breakpoint
DROP TABLE `mail_outbox`;--> statement-breakpoint
ALTER TABLE `__new_mail_outbox` RENAME TO `mail_outbox`;--> statement-breakpoint
CREATE UNIQUE INDEX `mail_outbox_idempotency_idx` ON `mail_outbox` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `mail_outbox_status_idx` ON `mail_outbox` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `mail_outbox_created_idx` ON `mail_outbox` (`created_at`);--> statement-breakpoint
CREATE TABLE `__new_mail_requests` (
	`key` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`reservation_id` integer NOT NULL,
	`requested_at` integer NOT NULL,
	`done_at` integer,
	CONSTRAINT "mail_requests_kind_check" CHECK("kind" in ('accepted', 'rejected', 'hold_ready', 'not_needed'))
);
--> statement-breakpoint
INSERT INTO `__new_mail_requests`("key", "kind", "reservation_id", "requested_at", "done_at") SELECT "key", "kind", "reservation_id", "requested_at", "done_at" FROM `mail_requests`;--> statement-breakpoint
DROP TABLE `mail_requests`;--> statement-breakpoint
ALTER TABLE `__new_mail_requests` RENAME TO `mail_requests`;--> statement-breakpoint
CREATE INDEX `mail_requests_pending_idx` ON `mail_requests` (`done_at`,`requested_at`);