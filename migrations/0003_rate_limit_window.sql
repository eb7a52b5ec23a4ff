ALTER TABLE "rate_limit" ADD COLUMN "window_start" bigint;--> statement-breakpoint
CREATE INDEX "rate_limit_last_request_idx" ON "rate_limit" USING btree ("last_request");