CREATE TABLE `import_chunks` (
	`run_id` integer NOT NULL,
	`offset` integer NOT NULL,
	PRIMARY KEY(`run_id`, `offset`)
);
--> statement-breakpoint
CREATE TABLE `import_mappings` (
	`kind` text PRIMARY KEY NOT NULL,
	`mapping` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `import_rejects` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` integer NOT NULL,
	`line` integer NOT NULL,
	`key` text,
	`reason` text NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `import_runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `import_rejects_run_idx` ON `import_rejects` (`run_id`,`line`);--> statement-breakpoint
CREATE TABLE `import_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`format` text NOT NULL,
	`origin` text NOT NULL,
	`object_key` text NOT NULL,
	`etag` text,
	`file_name` text NOT NULL,
	`size` integer NOT NULL,
	`dry_run` integer DEFAULT false NOT NULL,
	`full` integer DEFAULT false NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`phase` text DEFAULT 'rows' NOT NULL,
	`offset` integer DEFAULT 0 NOT NULL,
	`line` integer DEFAULT 0 NOT NULL,
	`encoding` text,
	`header` text,
	`mapping` text,
	`added` integer DEFAULT 0 NOT NULL,
	`updated` integer DEFAULT 0 NOT NULL,
	`unchanged` integer DEFAULT 0 NOT NULL,
	`withdrawn` integer DEFAULT 0 NOT NULL,
	`returned` integer DEFAULT 0 NOT NULL,
	`rejected` integer DEFAULT 0 NOT NULL,
	`copies_added` integer DEFAULT 0 NOT NULL,
	`copies_updated` integer DEFAULT 0 NOT NULL,
	`copies_unchanged` integer DEFAULT 0 NOT NULL,
	`error` text,
	`actor` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	`updated_at` integer,
	CONSTRAINT "import_runs_kind_check" CHECK("import_runs"."kind" in ('marc', 'materials', 'copies', 'patrons', 'loans', 'reservations')),
	CONSTRAINT "import_runs_status_check" CHECK("import_runs"."status" in ('queued', 'running', 'done', 'failed'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `import_runs_object_idx` ON `import_runs` (`object_key`,`etag`);--> statement-breakpoint
CREATE INDEX `import_runs_status_idx` ON `import_runs` (`status`,`updated_at`);--> statement-breakpoint
CREATE TABLE `import_seen` (
	`run_id` integer NOT NULL,
	`key` text NOT NULL,
	PRIMARY KEY(`run_id`, `key`)
);
--> statement-breakpoint
ALTER TABLE `items` ADD `source_hash` text;--> statement-breakpoint
ALTER TABLE `materials` ADD `source_hash` text;--> statement-breakpoint
ALTER TABLE `patrons` ADD `source_hash` text;