ALTER TABLE `clusters` ADD `started_here` integer DEFAULT false NOT NULL;--> statement-breakpoint
-- The kind names the protocol a cluster speaks; whether this server started it is started_here.
UPDATE `clusters` SET `started_here` = 1 WHERE `kind` = 'embedded';--> statement-breakpoint
UPDATE `clusters` SET `kind` = 'txline' WHERE `kind` IN ('embedded', 'remote');
