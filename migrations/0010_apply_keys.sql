CREATE TABLE `apply_keys` (
	`patron_id` integer NOT NULL,
	`key` text NOT NULL,
	`outcome` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`patron_id`, `key`),
	FOREIGN KEY (`patron_id`) REFERENCES `patrons`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `apply_keys_created_idx` ON `apply_keys` (`created_at`);