CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`target_type` text,
	`target_id` text,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `audit_log_at_idx` ON `audit_log` (`at`);--> statement-breakpoint
CREATE TABLE `auth_throttle` (
	`key` text PRIMARY KEY NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	`last_failure_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `auth_throttle_last_idx` ON `auth_throttle` (`last_failure_at`);--> statement-breakpoint
CREATE TABLE `branches` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`pickup` integer DEFAULT true NOT NULL,
	`sort_order` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `calendar_days` (
	`date` text PRIMARY KEY NOT NULL,
	`open` integer NOT NULL,
	`note` text
);
--> statement-breakpoint
CREATE TABLE `cart_items` (
	`cart_id` text NOT NULL,
	`material_id` integer NOT NULL,
	`pickup_branch` text NOT NULL,
	`added_at` integer NOT NULL,
	PRIMARY KEY(`cart_id`, `material_id`),
	FOREIGN KEY (`cart_id`) REFERENCES `carts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`material_id`) REFERENCES `materials`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`pickup_branch`) REFERENCES `branches`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `carts` (
	`id` text PRIMARY KEY NOT NULL,
	`patron_id` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer,
	`expires_at` integer,
	FOREIGN KEY (`patron_id`) REFERENCES `patrons`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `carts_patron_idx` ON `carts` (`patron_id`);--> statement-breakpoint
CREATE INDEX `carts_expires_idx` ON `carts` (`expires_at`);--> statement-breakpoint
CREATE TABLE `items` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`material_id` integer NOT NULL,
	`branch_code` text NOT NULL,
	`barcode` text NOT NULL,
	`call_number` text,
	`shelf` text,
	`status` text DEFAULT 'available' NOT NULL,
	`loanable` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer,
	FOREIGN KEY (`material_id`) REFERENCES `materials`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`branch_code`) REFERENCES `branches`(`code`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "items_status_check" CHECK("items"."status" in ('available', 'on_loan', 'on_hold', 'in_transit', 'processing', 'missing', 'damaged', 'withdrawn'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `items_barcode_idx` ON `items` (`barcode`);--> statement-breakpoint
CREATE INDEX `items_material_copy_idx` ON `items` (`material_id`,`branch_code`,`status`,`loanable`);--> statement-breakpoint
CREATE INDEX `items_branch_material_idx` ON `items` (`branch_code`,`material_id`);--> statement-breakpoint
CREATE TABLE `job_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`job` text NOT NULL,
	`business_date` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`summary` text,
	CONSTRAINT "job_runs_job_check" CHECK("job_runs"."job" in ('acceptance', 'nightly'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `job_runs_job_date_idx` ON `job_runs` (`job`,`business_date`);--> statement-breakpoint
CREATE TABLE `loans` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`item_id` integer NOT NULL,
	`patron_id` integer,
	`reservation_id` integer,
	`loaned_at` integer NOT NULL,
	`due_date` text NOT NULL,
	`returned_at` integer,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patron_id`) REFERENCES `patrons`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reservation_id`) REFERENCES `reservations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `loans_open_item_idx` ON `loans` (`item_id`) WHERE "loans"."returned_at" is null;--> statement-breakpoint
CREATE INDEX `loans_patron_idx` ON `loans` (`patron_id`,`returned_at`);--> statement-breakpoint
CREATE TABLE `mail_outbox` (
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
	CONSTRAINT "mail_outbox_kind_check" CHECK("mail_outbox"."kind" in ('accepted', 'rejected', 'hold_ready')),
	CONSTRAINT "mail_outbox_status_check" CHECK("mail_outbox"."status" in ('queued', 'sending', 'sent', 'failed', 'dead', 'recorded'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mail_outbox_idempotency_idx` ON `mail_outbox` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `mail_outbox_status_idx` ON `mail_outbox` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `mail_outbox_created_idx` ON `mail_outbox` (`created_at`);--> statement-breakpoint
CREATE TABLE `material_search` (
	`material_id` integer PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`author` text NOT NULL,
	`publisher` text NOT NULL,
	`subject` text NOT NULL,
	FOREIGN KEY (`material_id`) REFERENCES `materials`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `materials` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`title` text NOT NULL,
	`title_kana` text,
	`author` text,
	`author_kana` text,
	`publisher` text,
	`year` integer,
	`isbn` text,
	`ndc` text,
	`subject` text,
	`series` text,
	`type` text NOT NULL,
	`magazine_title` text,
	`issue_label` text,
	`issue_date` text,
	`latest_issue` integer DEFAULT false NOT NULL,
	`source_id` text,
	`title_sort` text NOT NULL,
	`title_norm` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer,
	CONSTRAINT "materials_type_check" CHECK("materials"."type" in ('book', 'magazine', 'av', 'kamishibai', 'other'))
);
--> statement-breakpoint
CREATE INDEX `materials_isbn_idx` ON `materials` (`isbn`);--> statement-breakpoint
CREATE INDEX `materials_ndc_idx` ON `materials` (`ndc`);--> statement-breakpoint
CREATE INDEX `materials_type_year_idx` ON `materials` (`type`,`year`);--> statement-breakpoint
CREATE INDEX `materials_year_idx` ON `materials` (`year`);--> statement-breakpoint
CREATE INDEX `materials_title_sort_idx` ON `materials` (`title_sort`);--> statement-breakpoint
CREATE UNIQUE INDEX `materials_source_idx` ON `materials` (`source_id`);--> statement-breakpoint
CREATE INDEX `materials_magazine_idx` ON `materials` (`magazine_title`,`issue_date`);--> statement-breakpoint
CREATE UNIQUE INDEX `materials_latest_issue_idx` ON `materials` (`magazine_title`) WHERE "materials"."latest_issue" = 1;--> statement-breakpoint
CREATE TABLE `patrons` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`card_number` text NOT NULL,
	`name` text NOT NULL,
	`name_kana` text,
	`email` text,
	`contact_method` text DEFAULT 'mail' NOT NULL,
	`password_hash` text,
	`must_change_credentials` integer DEFAULT true NOT NULL,
	`web_enabled` integer DEFAULT false NOT NULL,
	`suspended` integer DEFAULT false NOT NULL,
	`card_valid_until` text,
	`reading_history_opt_in` integer DEFAULT false NOT NULL,
	`credentials_changed_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer,
	CONSTRAINT "patrons_contact_method_check" CHECK("patrons"."contact_method" in ('mail', 'none'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `patrons_card_number_idx` ON `patrons` (`card_number`);--> statement-breakpoint
CREATE TABLE `reservations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`patron_id` integer,
	`material_id` integer NOT NULL,
	`pickup_branch` text NOT NULL,
	`status` text NOT NULL,
	`source` text NOT NULL,
	`applied_at` integer NOT NULL,
	`accepted_at` integer,
	`cancel_requested_at` integer,
	`hold_item_id` integer,
	`held_at` integer,
	`hold_until` text,
	`closed_at` integer,
	`reason` text,
	`anonymised_at` integer,
	`updated_at` integer,
	FOREIGN KEY (`patron_id`) REFERENCES `patrons`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`material_id`) REFERENCES `materials`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`pickup_branch`) REFERENCES `branches`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`hold_item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "reservations_status_check" CHECK("reservations"."status" in ('applied', 'reserved', 'rejected', 'on_hold', 'application_cancelled', 'cancel_requested', 'cancelled', 'fulfilled', 'expired')),
	CONSTRAINT "reservations_source_check" CHECK("reservations"."source" in ('web', 'counter'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reservations_one_active_idx` ON `reservations` (`patron_id`,`material_id`) WHERE "reservations"."status" in ('applied', 'reserved', 'cancel_requested', 'on_hold');--> statement-breakpoint
CREATE INDEX `reservations_patron_status_idx` ON `reservations` (`patron_id`,`status`);--> statement-breakpoint
CREATE INDEX `reservations_queue_idx` ON `reservations` (`material_id`,`status`,`accepted_at`);--> statement-breakpoint
CREATE INDEX `reservations_status_applied_idx` ON `reservations` (`status`,`applied_at`);--> statement-breakpoint
CREATE INDEX `reservations_closed_idx` ON `reservations` (`closed_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `reservations_hold_item_idx` ON `reservations` (`hold_item_id`) WHERE "reservations"."status" = 'on_hold';--> statement-breakpoint
CREATE TABLE `sessions` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`patron_id` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`last_seen_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`patron_id`) REFERENCES `patrons`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "sessions_kind_check" CHECK("sessions"."kind" in ('patron', 'staff'))
);
--> statement-breakpoint
CREATE INDEX `sessions_patron_idx` ON `sessions` (`patron_id`);--> statement-breakpoint
CREATE INDEX `sessions_expires_idx` ON `sessions` (`expires_at`);