CREATE TABLE `reading_records` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`patron_id` integer NOT NULL,
	`material_id` integer,
	`title` text NOT NULL,
	`author` text,
	`loaned_on` text NOT NULL,
	`returned_on` text NOT NULL,
	FOREIGN KEY (`patron_id`) REFERENCES `patrons`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `reading_records_patron_idx` ON `reading_records` (`patron_id`,`returned_on`);