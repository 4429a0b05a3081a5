CREATE TABLE `series` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`patron_id` integer NOT NULL,
	`pickup_branch` text NOT NULL,
	`mode` text NOT NULL,
	`created_at` integer NOT NULL,
	`stopped_at` integer,
	FOREIGN KEY (`patron_id`) REFERENCES `patrons`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`pickup_branch`) REFERENCES `branches`(`code`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "series_mode_check" CHECK("series"."mode" in ('in_order', 'together'))
);
--> statement-breakpoint
CREATE INDEX `series_patron_idx` ON `series` (`patron_id`);--> statement-breakpoint
CREATE TABLE `series_items` (
	`series_id` integer NOT NULL,
	`position` integer NOT NULL,
	`material_id` integer NOT NULL,
	`reservation_id` integer,
	`skipped_reason` text,
	PRIMARY KEY(`series_id`, `position`),
	FOREIGN KEY (`series_id`) REFERENCES `series`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`material_id`) REFERENCES `materials`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reservation_id`) REFERENCES `reservations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `series_items_reservation_idx` ON `series_items` (`reservation_id`);