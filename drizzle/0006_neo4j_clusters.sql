ALTER TABLE `clusters` ADD `uri` text;--> statement-breakpoint
ALTER TABLE `clusters` ADD `bolt_user` text;--> statement-breakpoint
ALTER TABLE `clusters` ADD `password_sealed` text;--> statement-breakpoint
ALTER TABLE `clusters` ADD `neo4j_admin` text;--> statement-breakpoint
ALTER TABLE `clusters` ADD `backup_from` text;--> statement-breakpoint
ALTER TABLE `clusters` ADD `location` text;