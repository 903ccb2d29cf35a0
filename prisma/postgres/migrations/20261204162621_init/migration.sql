-- CreateTable
CREATE TABLE "servers" (
    "id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "url_key" TEXT,
    "secret" TEXT NOT NULL,
    "tag" TEXT,
    "state" TEXT NOT NULL DEFAULT 'disabled',
    "load" DOUBLE PRECISION,
    "load_multiplier" DOUBLE PRECISION,
    "online" BOOLEAN NOT NULL DEFAULT false,
    "bbb_version" TEXT,
    "meetings" INTEGER,
    "users" INTEGER,
    "largest_meeting" INTEGER,
    "videos" INTEGER,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "servers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "meetings" (
    "id" TEXT NOT NULL,
    "server_id" TEXT,
    "moderator_pw" TEXT,
    "voice_bridge" TEXT,
    "tenant_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "meetings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tenants" (
    "id" TEXT NOT NULL,
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
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tenants_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "servers_url_key_key" ON "servers"("url_key");

-- CreateIndex
CREATE INDEX "meetings_server_id_idx" ON "meetings"("server_id");

-- CreateIndex
CREATE UNIQUE INDEX "tenants_name_key" ON "tenants"("name");

-- AddForeignKey
ALTER TABLE "meetings" ADD CONSTRAINT "meetings_server_id_fkey" FOREIGN KEY ("server_id") REFERENCES "servers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
