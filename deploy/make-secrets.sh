#!/bin/sh
# Make the secrets deploy/compose.yaml reads, once per installation, in deploy/secrets/
# (ignored by git). Keep a copy of them with the backups: without ENCRYPTION_KEY the
# TOTP seeds and webhook secrets in the database cannot be read (README.md, "Backups").
set -eu
cd "$(dirname "$0")"
umask 077
mkdir -p secrets
new() { python3 -c 'import secrets; print(secrets.token_urlsafe(64))'; }
[ -s secrets/secret_key ] || new > secrets/secret_key
[ -s secrets/encryption_key ] || new > secrets/encryption_key
if [ ! -s secrets/postgres_password ]; then
  python3 -c 'import secrets; print(secrets.token_hex(24))' > secrets/postgres_password
fi
printf 'postgres://echri:%s@postgres:5432/echri\n' "$(cat secrets/postgres_password)" > secrets/database_url
# Compose mounts these files as they are: the portal's processes run as uid 10001
# (deploy/Containerfile), PostgreSQL's as 999.
if [ "$(id -u)" -eq 0 ]; then
  chown 10001:10001 secrets/secret_key secrets/encryption_key secrets/database_url
  chown 999:999 secrets/postgres_password
else
  echo "not root: make secrets/* readable by uid 10001 (postgres_password by 999)" >&2
fi
echo "secrets are in $(pwd)/secrets"
