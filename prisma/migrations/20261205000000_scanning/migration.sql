-- CreateTable
CREATE TABLE "LayerIndex" (
    "digest" TEXT NOT NULL,
    "indexer" INTEGER NOT NULL,
    "data" JSONB,
    "error" TEXT,
    "indexedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LayerIndex_pkey" PRIMARY KEY ("digest")
);

-- CreateTable
CREATE TABLE "ManifestSecurity" (
    "digest" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "indexer" INTEGER NOT NULL DEFAULT 0,
    "distribution" JSONB,
    "packages" JSONB,
    "warnings" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "queuedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "scannedAt" TIMESTAMPTZ(3),
    "matchedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ManifestSecurity_pkey" PRIMARY KEY ("digest")
);

-- CreateTable
CREATE TABLE "ManifestVulnerability" (
    "digest" TEXT NOT NULL,
    "packageIndex" INTEGER NOT NULL,
    "vulnerabilityId" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "fixedBy" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ManifestVulnerability_pkey" PRIMARY KEY ("digest","packageIndex","vulnerabilityId")
);

-- CreateTable
CREATE TABLE "Vulnerability" (
    "id" TEXT NOT NULL,
    "modified" TIMESTAMPTZ(3) NOT NULL,
    "published" TIMESTAMPTZ(3),
    "summary" TEXT NOT NULL DEFAULT '',
    "details" TEXT NOT NULL DEFAULT '',
    "aliases" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "severity" TEXT NOT NULL DEFAULT 'Unknown',
    "cvss" JSONB NOT NULL DEFAULT '[]',
    "links" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "source" TEXT NOT NULL DEFAULT '',
    "importedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Vulnerability_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VulnerabilityAffected" (
    "id" BIGSERIAL NOT NULL,
    "vulnerabilityId" TEXT NOT NULL,
    "ecosystem" TEXT NOT NULL,
    "ecosystemKey" TEXT NOT NULL,
    "package" TEXT NOT NULL,
    "packageKey" TEXT NOT NULL,
    "ranges" JSONB NOT NULL DEFAULT '[]',
    "versions" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "severity" TEXT,

    CONSTRAINT "VulnerabilityAffected_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ManifestVulnerability_vulnerabilityId_idx" ON "ManifestVulnerability"("vulnerabilityId");

-- CreateIndex
CREATE INDEX "VulnerabilityAffected_ecosystemKey_packageKey_idx" ON "VulnerabilityAffected"("ecosystemKey", "packageKey");

-- CreateIndex
CREATE INDEX "VulnerabilityAffected_vulnerabilityId_idx" ON "VulnerabilityAffected"("vulnerabilityId");

-- AddForeignKey
ALTER TABLE "ManifestVulnerability" ADD CONSTRAINT "ManifestVulnerability_digest_fkey" FOREIGN KEY ("digest") REFERENCES "ManifestSecurity"("digest") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ManifestVulnerability" ADD CONSTRAINT "ManifestVulnerability_vulnerabilityId_fkey" FOREIGN KEY ("vulnerabilityId") REFERENCES "Vulnerability"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VulnerabilityAffected" ADD CONSTRAINT "VulnerabilityAffected_vulnerabilityId_fkey" FOREIGN KEY ("vulnerabilityId") REFERENCES "Vulnerability"("id") ON DELETE CASCADE ON UPDATE CASCADE;

