ALTER TABLE `carts` ADD `address_key` text;--> statement-breakpoint
CREATE INDEX `carts_address_idx` ON `carts` (`address_key`,`created_at`);