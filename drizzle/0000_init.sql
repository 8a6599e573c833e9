CREATE TABLE `artifacts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`folder_id` integer NOT NULL,
	`file` text NOT NULL,
	`database` text NOT NULL,
	`database_id` text NOT NULL,
	`store_id` text NOT NULL,
	`time` integer NOT NULL,
	`full` integer NOT NULL,
	`compressed` integer NOT NULL,
	`lowest_tx` integer NOT NULL,
	`highest_tx` integer NOT NULL,
	`tip_tx` integer NOT NULL,
	`tx_count` integer NOT NULL,
	`parent` text,
	`parent_last_tx_checksum` integer,
	`last_tx_checksum` integer NOT NULL,
	`first_commit_time` integer,
	`last_commit_time` integer,
	`recovered` integer NOT NULL,
	`member_id` text,
	`member_address` text,
	`size_bytes` integer NOT NULL,
	`raw_bytes` integer NOT NULL,
	`sha256` text NOT NULL,
	`nodes` integer,
	`relationships` integer,
	`file_size` integer NOT NULL,
	`file_mtime_ms` integer NOT NULL,
	`indexed_at` integer NOT NULL,
	`verify_status` text,
	`verify_message` text,
	`verified_at` integer,
	FOREIGN KEY (`folder_id`) REFERENCES `backup_folders`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `artifacts_folder_file` ON `artifacts` (`folder_id`,`file`);--> statement-breakpoint
CREATE INDEX `artifacts_folder_db_time` ON `artifacts` (`folder_id`,`database`,`time`);--> statement-breakpoint
CREATE TABLE `audit_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`username` text,
	`address` text,
	`action` text NOT NULL,
	`target` text,
	`outcome` text NOT NULL,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `audit_events_at` ON `audit_events` (`at`);--> statement-breakpoint
CREATE INDEX `audit_events_action` ON `audit_events` (`action`,`at`);--> statement-breakpoint
CREATE TABLE `backup_folders` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`path` text NOT NULL,
	`is_default` integer DEFAULT false NOT NULL,
	`last_scan_at` integer,
	`last_scan_error` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `backup_folders_name_unique` ON `backup_folders` (`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `backup_folders_path_unique` ON `backup_folders` (`path`);--> statement-breakpoint
CREATE TABLE `clusters` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`addresses` text NOT NULL,
	`control_address` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `clusters_name_unique` ON `clusters` (`name`);--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`cluster_id` integer,
	`folder_id` integer,
	`database` text NOT NULL,
	`params` text NOT NULL,
	`args` text NOT NULL,
	`pid` integer,
	`exit_code` integer,
	`progress` text,
	`log` text DEFAULT '' NOT NULL,
	`result` text,
	`error` text,
	`cancel_requested` integer DEFAULT false NOT NULL,
	`created_by` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`started_at` integer,
	`ended_at` integer,
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`folder_id`) REFERENCES `backup_folders`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `jobs_database_status` ON `jobs` (`database`,`status`);--> statement-breakpoint
CREATE INDEX `jobs_created` ON `jobs` (`created_at`);--> statement-breakpoint
CREATE TABLE `lag_samples` (
	`cluster_id` integer NOT NULL,
	`member_id` text NOT NULL,
	`database` text NOT NULL,
	`resolution` text NOT NULL,
	`ts` integer NOT NULL,
	`last_committed_txn` integer NOT NULL,
	`replication_lag` integer NOT NULL,
	`online` integer NOT NULL,
	PRIMARY KEY(`cluster_id`, `database`, `resolution`, `ts`, `member_id`)
);
--> statement-breakpoint
CREATE TABLE `login_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`username` text NOT NULL,
	`address` text NOT NULL,
	`ok` integer NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `login_attempts_user` ON `login_attempts` (`username`,`at`);--> statement-breakpoint
CREATE INDEX `login_attempts_address` ON `login_attempts` (`address`,`at`);--> statement-breakpoint
CREATE TABLE `members` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`cluster_id` integer NOT NULL,
	`member_id` text NOT NULL,
	`address` text NOT NULL,
	`mode` text NOT NULL,
	`last_seen_at` integer,
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `members_cluster_member` ON `members` (`cluster_id`,`member_id`);--> statement-breakpoint
CREATE TABLE `schedules` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`cluster_id` integer NOT NULL,
	`folder_id` integer NOT NULL,
	`database` text NOT NULL,
	`cron` text NOT NULL,
	`type` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`folder_id`) REFERENCES `backup_folders`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`address` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`username` text NOT NULL,
	`password_hash` text NOT NULL,
	`role` text NOT NULL,
	`disabled` integer DEFAULT false NOT NULL,
	`must_change_password` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_unique` ON `users` (`username`);