-- CreateTable
CREATE TABLE "servers" (
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
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "meetings" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "server_id" TEXT,
    "moderator_pw" TEXT,
    "voice_bridge" TEXT,
    "tenant_id" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "meetings_server_id_fkey" FOREIGN KEY ("server_id") REFERENCES "servers" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "tenants" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "secrets" TEXT NOT NULL,
    "lrs_endpoint" TEXT,
    "lrs_username" TEXT,
    "lrs_password" TEXT,
    "kc_token_url" TEXT,
    "kc_client_id" TEXT,
    "kc_client_secret" TEXT,
    "kc_username" TEXT,
    "kc_password" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "servers_url_key_key" ON "servers"("url_key");

-- CreateIndex
CREATE INDEX "meetings_server_id_idx" ON "meetings"("server_id");

-- CreateIndex
CREATE UNIQUE INDEX "tenants_name_key" ON "tenants"("name");
