CREATE TABLE `rankings` (
	`kind` text NOT NULL,
	`branch` text NOT NULL,
	`rank` integer NOT NULL,
	`material_id` integer NOT NULL,
	`count` integer NOT NULL,
	`computed_on` text NOT NULL,
	PRIMARY KEY(`kind`, `branch`, `rank`),
	FOREIGN KEY (`material_id`) REFERENCES `materials`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "rankings_kind_check" CHECK("rankings"."kind" in ('reserved', 'borrowed'))
);
