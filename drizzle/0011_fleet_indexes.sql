CREATE INDEX `artifacts_db_time` ON `artifacts` (`database`,`time`);--> statement-breakpoint
CREATE INDEX `artifacts_indexed_at` ON `artifacts` (`indexed_at`);--> statement-breakpoint
CREATE INDEX `artifacts_verified_at` ON `artifacts` (`verified_at`);--> statement-breakpoint
CREATE INDEX `jobs_kind_status_cluster_db` ON `jobs` (`kind`,`status`,`cluster_id`,`database`);--> statement-breakpoint
CREATE INDEX `jobs_status` ON `jobs` (`status`);--> statement-breakpoint
CREATE INDEX `lag_samples_resolution_ts` ON `lag_samples` (`resolution`,`ts`);