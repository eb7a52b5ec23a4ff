ALTER TABLE "rate_limit" ADD COLUMN "previous_count" integer;--> statement-breakpoint
ALTER TABLE "rate_limit" ADD COLUMN "blocked_until" bigint;