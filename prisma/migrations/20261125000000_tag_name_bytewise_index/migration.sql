-- tags/list pages through a repository's tag names in byte order (the distribution spec's lexical order).
-- An index in that collation lets each page read only its own rows instead of sorting every tag.
-- Hand-written: Prisma's schema cannot express a column collation in an index.
CREATE INDEX "Tag_repositoryId_name_bytewise_idx" ON "Tag" ("repositoryId", name COLLATE "C");
