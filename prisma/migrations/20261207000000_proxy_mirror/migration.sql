-- CreateEnum
CREATE TYPE "MirrorSyncStatus" AS ENUM ('NEVER_RUN', 'SYNC_NOW', 'SYNCING', 'SUCCESS', 'FAIL', 'CANCEL');

-- CreateTable
CREATE TABLE "ProxyCacheConfig" (
    "id" BIGSERIAL NOT NULL,
    "namespaceId" BIGINT NOT NULL,
    "upstreamRegistry" TEXT NOT NULL,
    "credentialsSealed" TEXT,
    "insecure" BOOLEAN NOT NULL DEFAULT false,
    "expirationS" INTEGER NOT NULL DEFAULT 86400,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProxyCacheConfig_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProxyCachedTag" (
    "repositoryId" BIGINT NOT NULL,
    "tag" TEXT NOT NULL,
    "upstreamDigest" TEXT NOT NULL,
    "checkedAt" TIMESTAMPTZ(3) NOT NULL,
    "lastPulledAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ProxyCachedTag_pkey" PRIMARY KEY ("repositoryId","tag")
);

-- CreateTable
CREATE TABLE "RepoMirrorConfig" (
    "id" BIGSERIAL NOT NULL,
    "repositoryId" BIGINT NOT NULL,
    "externalReference" TEXT NOT NULL,
    "credentialsSealed" TEXT,
    "verifyTls" BOOLEAN NOT NULL DEFAULT true,
    "unsignedImages" BOOLEAN NOT NULL DEFAULT false,
    "proxy" JSONB NOT NULL DEFAULT '{}',
    "syncInterval" INTEGER NOT NULL,
    "syncStartDate" TIMESTAMPTZ(3) NOT NULL,
    "tagGlobs" TEXT[],
    "robotId" BIGINT,
    "isEnabled" BOOLEAN NOT NULL DEFAULT true,
    "syncStatus" "MirrorSyncStatus" NOT NULL DEFAULT 'NEVER_RUN',
    "syncRetriesRemaining" INTEGER NOT NULL DEFAULT 3,
    "syncExpirationDate" TIMESTAMPTZ(3),
    "lastSyncAt" TIMESTAMPTZ(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RepoMirrorConfig_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RepoMirrorSync" (
    "id" BIGSERIAL NOT NULL,
    "configId" BIGINT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "startedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMPTZ(3),
    "tagsCopied" INTEGER NOT NULL DEFAULT 0,
    "tagsSkipped" INTEGER NOT NULL DEFAULT 0,
    "tagsDeleted" INTEGER NOT NULL DEFAULT 0,
    "log" JSONB NOT NULL DEFAULT '[]',
    "error" TEXT,

    CONSTRAINT "RepoMirrorSync_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ProxyCacheConfig_namespaceId_key" ON "ProxyCacheConfig"("namespaceId");

-- CreateIndex
CREATE INDEX "ProxyCachedTag_lastPulledAt_idx" ON "ProxyCachedTag"("lastPulledAt");

-- CreateIndex
CREATE UNIQUE INDEX "RepoMirrorConfig_repositoryId_key" ON "RepoMirrorConfig"("repositoryId");

-- CreateIndex
CREATE INDEX "RepoMirrorSync_configId_startedAt_idx" ON "RepoMirrorSync"("configId", "startedAt");

-- AddForeignKey
ALTER TABLE "ProxyCacheConfig" ADD CONSTRAINT "ProxyCacheConfig_namespaceId_fkey" FOREIGN KEY ("namespaceId") REFERENCES "Namespace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProxyCachedTag" ADD CONSTRAINT "ProxyCachedTag_repositoryId_fkey" FOREIGN KEY ("repositoryId") REFERENCES "Repository"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RepoMirrorConfig" ADD CONSTRAINT "RepoMirrorConfig_repositoryId_fkey" FOREIGN KEY ("repositoryId") REFERENCES "Repository"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RepoMirrorConfig" ADD CONSTRAINT "RepoMirrorConfig_robotId_fkey" FOREIGN KEY ("robotId") REFERENCES "Robot"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RepoMirrorSync" ADD CONSTRAINT "RepoMirrorSync_configId_fkey" FOREIGN KEY ("configId") REFERENCES "RepoMirrorConfig"("id") ON DELETE CASCADE ON UPDATE CASCADE;

