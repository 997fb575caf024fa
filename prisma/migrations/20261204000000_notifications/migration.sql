-- Notifications: deliveries (one per event and notification), the bell's entries, authorized e-mail addresses,
-- image-expiry reports, and the method's sealed secrets; a disabled notification wants no events.
-- AlterTable
ALTER TABLE "RepositoryNotification" ADD COLUMN     "disabledAt" TIMESTAMPTZ(3),
ADD COLUMN     "sealed" TEXT;

-- CreateTable
CREATE TABLE "NotificationDelivery" (
    "id" BIGSERIAL NOT NULL,
    "notificationId" BIGINT NOT NULL,
    "eventId" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastStatusCode" INTEGER,
    "lastError" TEXT,
    "responseExcerpt" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMPTZ(3),

    CONSTRAINT "NotificationDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationTagReport" (
    "notificationId" BIGINT NOT NULL,
    "tagId" BIGINT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "NotificationTagReport_pkey" PRIMARY KEY ("notificationId","tagId")
);

-- CreateTable
CREATE TABLE "UserNotification" (
    "id" BIGSERIAL NOT NULL,
    "uuid" UUID NOT NULL DEFAULT gen_random_uuid(),
    "userId" BIGINT NOT NULL,
    "kind" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "readAt" TIMESTAMPTZ(3),
    "dismissed" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UserNotification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RepositoryAuthorizedEmail" (
    "id" BIGSERIAL NOT NULL,
    "repositoryId" BIGINT NOT NULL,
    "email" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "confirmed" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RepositoryAuthorizedEmail_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "NotificationDelivery_notificationId_createdAt_idx" ON "NotificationDelivery"("notificationId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "NotificationDelivery_notificationId_eventId_key" ON "NotificationDelivery"("notificationId", "eventId");

-- CreateIndex
CREATE UNIQUE INDEX "UserNotification_uuid_key" ON "UserNotification"("uuid");

-- CreateIndex
CREATE INDEX "UserNotification_userId_dismissed_createdAt_idx" ON "UserNotification"("userId", "dismissed", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "UserNotification_userId_eventId_key" ON "UserNotification"("userId", "eventId");

-- CreateIndex
CREATE UNIQUE INDEX "RepositoryAuthorizedEmail_code_key" ON "RepositoryAuthorizedEmail"("code");

-- CreateIndex
CREATE UNIQUE INDEX "RepositoryAuthorizedEmail_repositoryId_email_key" ON "RepositoryAuthorizedEmail"("repositoryId", "email");

-- AddForeignKey
ALTER TABLE "NotificationDelivery" ADD CONSTRAINT "NotificationDelivery_notificationId_fkey" FOREIGN KEY ("notificationId") REFERENCES "RepositoryNotification"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationTagReport" ADD CONSTRAINT "NotificationTagReport_notificationId_fkey" FOREIGN KEY ("notificationId") REFERENCES "RepositoryNotification"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UserNotification" ADD CONSTRAINT "UserNotification_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RepositoryAuthorizedEmail" ADD CONSTRAINT "RepositoryAuthorizedEmail_repositoryId_fkey" FOREIGN KEY ("repositoryId") REFERENCES "Repository"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- A notification disabled after too many consecutive failures wants no events until it is reset.
CREATE OR REPLACE FUNCTION hm_event_wanted(p_queue text, p_event text, p_repo bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT p_queue <> 'notifications' OR p_repo IS NULL OR EXISTS (
    SELECT 1 FROM "RepositoryNotification" n
    WHERE n."repositoryId" = p_repo AND n.event = p_event AND n."disabledAt" IS NULL
  )
$$;
