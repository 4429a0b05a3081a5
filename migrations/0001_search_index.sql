-- Full-text index of the catalog: FTS5 over the bigram text in material_search (external content),
-- kept in step by triggers. After a table-by-table restore, rebuild it with:
--   INSERT INTO material_fts(material_fts) VALUES('rebuild');   (npm run db:reindex)
CREATE VIRTUAL TABLE `material_fts` USING fts5(
	`title`, `author`, `publisher`, `subject`,
	content='material_search', content_rowid='material_id',
	tokenize='unicode61 remove_diacritics 0'
);
--> statement-breakpoint
CREATE TRIGGER `material_search_ai` AFTER INSERT ON `material_search` BEGIN
	INSERT INTO material_fts(rowid, title, author, publisher, subject)
	VALUES (new.material_id, new.title, new.author, new.publisher, new.subject);
END;
--> statement-breakpoint
CREATE TRIGGER `material_search_ad` AFTER DELETE ON `material_search` BEGIN
	INSERT INTO material_fts(material_fts, rowid, title, author, publisher, subject)
	VALUES ('delete', old.material_id, old.title, old.author, old.publisher, old.subject);
END;
--> statement-breakpoint
CREATE TRIGGER `material_search_au` AFTER UPDATE ON `material_search` BEGIN
	INSERT INTO material_fts(material_fts, rowid, title, author, publisher, subject)
	VALUES ('delete', old.material_id, old.title, old.author, old.publisher, old.subject);
	INSERT INTO material_fts(rowid, title, author, publisher, subject)
	VALUES (new.material_id, new.title, new.author, new.publisher, new.subject);
END;
