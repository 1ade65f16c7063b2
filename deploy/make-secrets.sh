#!/usr/bin/env bash
# Writes the secrets deploy/compose.yaml mounts: random PostgreSQL and Redis passwords, the URLs
# Kurz connects with (the same passwords), and an admin API key. Existing files are kept.
# The files are readable by all (Kurz runs as user 10001 in its container, and compose mounts
# them as they are), so the folder itself is closed to other users.
set -euo pipefail
dir="$(cd "$(dirname "$0")" && pwd)/secrets"
mkdir -p "$dir" && chmod 0700 "$dir"
random() { head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c "$1"; }
write() { [ -s "$dir/$1" ] || { printf '%s' "$2" > "$dir/$1"; chmod 0644 "$dir/$1"; echo "wrote $dir/$1"; }; }
write postgres_password "$(random 32)"
write redis_password "$(random 32)"
write kurz_api_key "kurz_$(random 40)"
write kurz_database_url "postgresql://kurz:$(cat "$dir/postgres_password")@postgres:5432/kurz?socketTimeout=30"
write kurz_redis_url "redis://:$(cat "$dir/redis_password")@redis:6379"
