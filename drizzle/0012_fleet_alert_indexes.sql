DROP INDEX `artifacts_db_time`;--> statement-breakpoint
CREATE INDEX `artifacts_db_time` ON `artifacts` (`database`,`time`,`folder_id`,`size_bytes`);--> statement-breakpoint
CREATE INDEX `jobs_db_cluster_id` ON `jobs` (`database`,`cluster_id`,`id`);