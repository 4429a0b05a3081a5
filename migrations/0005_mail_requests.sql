CREATE TABLE `mail_requests` (
	`key` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`reservation_id` integer NOT NULL,
	`requested_at` integer NOT NULL,
	`done_at` integer,
	CONSTRAINT "mail_requests_kind_check" CHECK("mail_requests"."kind" in ('accepted', 'rejected', 'hold_ready'))
);
--> statement-breakpoint
CREATE INDEX `mail_requests_pending_idx` ON `mail_requests` (`done_at`,`requested_at`);