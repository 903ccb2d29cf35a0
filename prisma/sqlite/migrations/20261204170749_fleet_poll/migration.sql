-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_servers" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "url" TEXT NOT NULL,
    "url_key" TEXT,
    "secret" TEXT NOT NULL,
    "tag" TEXT,
    "state" TEXT NOT NULL DEFAULT 'disabled',
    "load" REAL,
    "load_multiplier" REAL,
    "online" BOOLEAN NOT NULL DEFAULT false,
    "bbb_version" TEXT,
    "meetings" INTEGER,
    "users" INTEGER,
    "largest_meeting" INTEGER,
    "videos" INTEGER,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "polled_at" DATETIME,
    "healthy_counter" INTEGER NOT NULL DEFAULT 0,
    "unhealthy_counter" INTEGER NOT NULL DEFAULT 0
);
INSERT INTO "new_servers" ("bbb_version", "created_at", "id", "largest_meeting", "load", "load_multiplier", "meetings", "online", "secret", "state", "tag", "updated_at", "url", "url_key", "users", "videos") SELECT "bbb_version", "created_at", "id", "largest_meeting", "load", "load_multiplier", "meetings", "online", "secret", "state", "tag", "updated_at", "url", "url_key", "users", "videos" FROM "servers";
DROP TABLE "servers";
ALTER TABLE "new_servers" RENAME TO "servers";
CREATE UNIQUE INDEX "servers_url_key_key" ON "servers"("url_key");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
