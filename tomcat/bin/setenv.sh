# kpm's CATALINA_BASE/bin/setenv.sh, sourced by catalina.sh (so: POSIX sh). Installed by
# `kpm-tomcat.sh layout`. Turns kpm's environment into what conf/server.xml and conf/context.xml
# substitute:
#   KPM_HTTP_PORT      HTTP port, default 9081                      -> -Dkpm.http.port
#   KPM_SHUTDOWN_PORT  shutdown port, default -1 (disabled)         -> -Dkpm.shutdown.port
#   DB_URL             PostgreSQL JDBC URL, required to start       -> -Dkpm.db.url
#   DB_USER            default postgres                             -> -Dkpm.db.user
#   DB_PASSWORD        default empty; Tomcat reads it from the environment (never a -D option,
#                      which anyone could read in the process list)
#   KPM_DB_POOL_SIZE   most pooled connections, default 10          -> -Dkpm.db.poolSize
#   KPM_HOME           kpm's home folder, default CATALINA_BASE/kpm-home; read by kpm itself
#
# Every other kpm setting is read by kpm itself from its environment variable (the README's
# settings table), so it is set by exporting it before `kpm-tomcat.sh start`; nothing here passes
# it on. For example eKuiper's JWT scheme: KPM_AUTH=ekuiper, with the issuers' public keys in
# $KPM_HOME/etc/mgmt/<issuer>. A JNDI <Environment name="kpm/auth" .../> in conf/context.xml works
# too, but `kpm-tomcat.sh layout` overwrites conf/context.xml, and the environment wins over JNDI.

case "${1:-}" in
  run | start | debug | jpda | configtest)
    if [ -z "${DB_URL:-}" ]; then
      echo "setenv.sh: DB_URL is not set. Export DB_URL=jdbc:postgresql://<host>:<port>/<db>" \
        "(and DB_USER, DB_PASSWORD) before starting kpm's Tomcat." >&2
      exit 1
    fi
    ;;
esac

# catalina.sh hands CATALINA_OPTS to `eval`: quote each value so that '&', ';', spaces and the
# like in a JDBC URL reach Java unchanged.
kpm_quote() {
  printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

KPM_HOME="${KPM_HOME:-$CATALINA_BASE/kpm-home}"
DB_PASSWORD="${DB_PASSWORD:-}"
export KPM_HOME DB_PASSWORD
CATALINA_PID="${CATALINA_PID:-$CATALINA_BASE/temp/catalina.pid}"

CATALINA_OPTS="${CATALINA_OPTS:-}\
 -Dkpm.http.port=$(kpm_quote "${KPM_HTTP_PORT:-9081}")\
 -Dkpm.shutdown.port=$(kpm_quote "${KPM_SHUTDOWN_PORT:--1}")\
 -Dkpm.db.url=$(kpm_quote "${DB_URL:-}")\
 -Dkpm.db.user=$(kpm_quote "${DB_USER:-postgres}")\
 -Dkpm.db.poolSize=$(kpm_quote "${KPM_DB_POOL_SIZE:-10}")\
 -Dorg.apache.tomcat.util.digester.PROPERTY_SOURCE=org.apache.tomcat.util.digester.EnvironmentPropertySource"
