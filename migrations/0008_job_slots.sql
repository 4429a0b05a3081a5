DROP INDEX `job_runs_job_date_idx`;--> statement-breakpoint
ALTER TABLE `job_runs` ADD `slot` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `job_runs` ADD `duration_ms` integer;--> statement-breakpoint
ALTER TABLE `job_runs` ADD `error` text;--> statement-breakpoint
CREATE UNIQUE INDEX `job_runs_job_date_slot_idx` ON `job_runs` (`job`,`business_date`,`slot`);