CREATE TABLE `drills` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`cluster_id` integer,
	`folder_id` integer,
	`database` text NOT NULL,
	`location` text NOT NULL,
	`point_kind` text NOT NULL,
	`point_tx` integer,
	`chain_end` text,
	`artifact` text,
	`passed` integer NOT NULL,
	`failed_check` text,
	`problem` text,
	`rto_ms` integer,
	`started_at` integer NOT NULL,
	`finished_at` integer NOT NULL,
	`job_id` integer,
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`folder_id`) REFERENCES `backup_folders`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`job_id`) REFERENCES `jobs`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `drills_cluster_db_started` ON `drills` (`cluster_id`,`database`,`started_at`);--> statement-breakpoint
ALTER TABLE `schedules` ADD `drill_cron` text;