CREATE TABLE `drill_targets` (
	`cluster_id` integer NOT NULL,
	`database` text NOT NULL,
	`target_cluster_id` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`cluster_id`, `database`),
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`target_cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade
);
