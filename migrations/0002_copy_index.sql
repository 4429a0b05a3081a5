DROP INDEX `items_material_status_idx`;--> statement-breakpoint
CREATE INDEX `items_material_copy_idx` ON `items` (`material_id`,`branch_code`,`status`,`loanable`);