CREATE TABLE `catalog_version` (
	`id` integer PRIMARY KEY NOT NULL,
	`version` integer DEFAULT 0 NOT NULL,
	CONSTRAINT "catalog_version_one_row" CHECK("catalog_version"."id" = 1)
);
--> statement-breakpoint
-- One row; every staff change of the catalog bumps it in the same batch (src/db/catalog-version.ts).
INSERT INTO `catalog_version` (`id`, `version`) VALUES (1, 0);
