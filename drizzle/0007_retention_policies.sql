CREATE TABLE `retention_policies` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`folder_id` integer NOT NULL,
	`database` text NOT NULL,
	`keep_full` integer,
	`keep_days` integer,
	`keep_weekly` integer,
	`created_by` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer,
	FOREIGN KEY (`folder_id`) REFERENCES `backup_folders`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `retention_policies_folder_database` ON `retention_policies` (`folder_id`,`database`);