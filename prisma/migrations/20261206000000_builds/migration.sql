-- CreateEnum
CREATE TYPE "BuildPhase" AS ENUM ('waiting', 'build-scheduled', 'unpacking', 'pulling', 'building', 'pushing', 'complete', 'error', 'cancelled', 'expired', 'internalerror');

-- CreateTable
CREATE TABLE "BuildTrigger" (
    "id" BIGSERIAL NOT NULL,
    "uuid" UUID NOT NULL DEFAULT gen_random_uuid(),
    "repositoryId" BIGINT NOT NULL,
    "service" TEXT NOT NULL,
    "config" JSONB NOT NULL DEFAULT '{}',
    "activatedAt" TIMESTAMPTZ(3),
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "disabledReason" TEXT,
    "sealed" TEXT NOT NULL,
    "publicKey" TEXT,
    "pullRobotId" BIGINT,
    "connectedUserId" BIGINT,
    "successiveFailures" INTEGER NOT NULL DEFAULT 0,
    "successiveInternal" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BuildTrigger_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Build" (
    "id" BIGSERIAL NOT NULL,
    "uuid" UUID NOT NULL DEFAULT gen_random_uuid(),
    "repositoryId" BIGINT NOT NULL,
    "phase" "BuildPhase" NOT NULL DEFAULT 'waiting',
    "phases" JSONB NOT NULL DEFAULT '[]',
    "displayName" TEXT NOT NULL,
    "dockerTags" TEXT[],
    "fileId" UUID,
    "archiveUrl" TEXT,
    "context" TEXT NOT NULL DEFAULT '/',
    "dockerfilePath" TEXT NOT NULL DEFAULT '',
    "pullRobotId" BIGINT,
    "triggerId" BIGINT,
    "triggerMetadata" JSONB,
    "commitSha" TEXT,
    "manualUserId" BIGINT,
    "error" TEXT,
    "manifestDigest" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),
    "completedAt" TIMESTAMPTZ(3),
    "worker" TEXT,
    "heartbeatAt" TIMESTAMPTZ(3),
    "cancelRequestedAt" TIMESTAMPTZ(3),
    "logCount" INTEGER NOT NULL DEFAULT 0,
    "logsTruncated" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "Build_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BuildLog" (
    "buildId" BIGINT NOT NULL,
    "seq" INTEGER NOT NULL,
    "phase" TEXT NOT NULL,
    "type" TEXT NOT NULL DEFAULT '',
    "message" TEXT NOT NULL,
    "data" JSONB,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BuildLog_pkey" PRIMARY KEY ("buildId","seq")
);

-- CreateTable
CREATE TABLE "FileDrop" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "userId" BIGINT,
    "mimeType" TEXT NOT NULL,
    "size" BIGINT,
    "uploadedAt" TIMESTAMPTZ(3),
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FileDrop_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "BuildTrigger_uuid_key" ON "BuildTrigger"("uuid");

-- CreateIndex
CREATE INDEX "BuildTrigger_repositoryId_idx" ON "BuildTrigger"("repositoryId");

-- CreateIndex
CREATE UNIQUE INDEX "Build_uuid_key" ON "Build"("uuid");

-- CreateIndex
CREATE INDEX "Build_repositoryId_createdAt_idx" ON "Build"("repositoryId", "createdAt");

-- CreateIndex
CREATE INDEX "Build_phase_idx" ON "Build"("phase");

-- CreateIndex
CREATE INDEX "Build_triggerId_commitSha_idx" ON "Build"("triggerId", "commitSha");

-- AddForeignKey
ALTER TABLE "BuildTrigger" ADD CONSTRAINT "BuildTrigger_repositoryId_fkey" FOREIGN KEY ("repositoryId") REFERENCES "Repository"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BuildTrigger" ADD CONSTRAINT "BuildTrigger_pullRobotId_fkey" FOREIGN KEY ("pullRobotId") REFERENCES "Robot"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BuildTrigger" ADD CONSTRAINT "BuildTrigger_connectedUserId_fkey" FOREIGN KEY ("connectedUserId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Build" ADD CONSTRAINT "Build_repositoryId_fkey" FOREIGN KEY ("repositoryId") REFERENCES "Repository"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Build" ADD CONSTRAINT "Build_pullRobotId_fkey" FOREIGN KEY ("pullRobotId") REFERENCES "Robot"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Build" ADD CONSTRAINT "Build_triggerId_fkey" FOREIGN KEY ("triggerId") REFERENCES "BuildTrigger"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Build" ADD CONSTRAINT "Build_manualUserId_fkey" FOREIGN KEY ("manualUserId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BuildLog" ADD CONSTRAINT "BuildLog_buildId_fkey" FOREIGN KEY ("buildId") REFERENCES "Build"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FileDrop" ADD CONSTRAINT "FileDrop_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- At most one unfinished build per trigger and commit (a webhook delivered twice starts one build).
CREATE UNIQUE INDEX "Build_trigger_commit_unfinished" ON "Build"("triggerId", "commitSha")
  WHERE "triggerId" IS NOT NULL AND "commitSha" IS NOT NULL
    AND "phase" NOT IN ('complete', 'error', 'cancelled', 'expired', 'internalerror');
