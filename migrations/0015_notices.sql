CREATE TABLE `notices` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`from_date` text NOT NULL,
	`until_date` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	CONSTRAINT "notices_range_check" CHECK("notices"."from_date" <= "notices"."until_date")
);
--> statement-breakpoint
CREATE INDEX `notices_until_idx` ON `notices` (`until_date`,`from_date`);