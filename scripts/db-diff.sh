#!/usr/bin/env bash
# Prints the SQL that takes the schema committed at REV (default HEAD) to the working prisma/schema.prisma.
# Why not `--from-migrations`: the WASM schema engine panics ("unreachable") introspecting CHECK and
# EXCLUDE constraints, which our hand-written SQL uses. Diffing two datamodels needs no database.
set -euo pipefail
rev=${1:-HEAD}
prev=$(mktemp --suffix=.prisma)
git show "$rev:prisma/schema.prisma" > "$prev"
npx prisma migrate diff --from-schema-datamodel "$prev" --to-schema-datamodel prisma/schema.prisma --script
rm -f "$prev"
