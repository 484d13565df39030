# Sourced: starts Debian's PostgreSQL 15 on 127.0.0.1:5432 (idempotent) and exports CADRE_TEST_DATABASE_URL.
pg_version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h 2>/dev/null | grep -q "^$pg_version main"; then
  pg_createcluster "$pg_version" main >/dev/null
fi
sed -i "s/^#\?listen_addresses.*/listen_addresses = '127.0.0.1'/" "/etc/postgresql/$pg_version/main/postgresql.conf"
pg_ctlcluster "$pg_version" main start 2>/dev/null || true
for i in $(seq 1 30); do pg_isready -h 127.0.0.1 -q && break; sleep 1; done
su postgres -c "psql -qtc \"select 1 from pg_roles where rolname='cadre'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"create role cadre login superuser password 'cadre'\""
su postgres -c "psql -qtc \"select 1 from pg_database where datname='cadre'\"" | grep -q 1 \
  || su postgres -c "createdb -O cadre cadre"
export CADRE_TEST_DATABASE_URL="postgres://cadre:cadre@127.0.0.1:5432/cadre"
