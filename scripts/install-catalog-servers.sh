#!/usr/bin/env bash
# Installs, when missing, the catalog servers the Iceberg catalog tests run against (the demo
# needs neither):
#   Apache Iceberg's own REST catalog server (org.apache.iceberg.rest.RESTCatalogServer, from the
#   test fixtures of iceberg-open-api) with the jars it needs on its class path, fetched from Maven
#   Central by Maven into .tools/iceberg-rest/lib (a small pom's copy-dependencies);
#   moto's server (moto[server] from PyPI into the tools' venv), whose AWS Glue keeps an Iceberg
#   table's Parameters.metadata_location.
# Versions are pinned below. Safe to run twice; quick when everything is present. Needs Java 17+
# and Maven (`java`, `mvn` on PATH; apt's openjdk-17-jre-headless and maven when missing).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.tools/venv"
rest_dir="$root/.tools/iceberg-rest"

ICEBERG_VERSION="1.10.0"
JETTY_VERSION="11.0.25"
HADOOP_VERSION="3.4.1"
SQLITE_JDBC_VERSION="3.50.3.0"
SLF4J_VERSION="2.0.17"
MOTO_VERSION="5.2.5"

# shellcheck source=scripts/install-lib.sh
. "$root/scripts/install-lib.sh"

pkgs=()
command -v java >/dev/null || pkgs+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || pkgs+=(maven)
if [ "${#pkgs[@]}" -gt 0 ]; then apt_install "${pkgs[@]}"; fi

# The stamp names every pinned version: a change of any of them fetches the class path anew.
stamp="iceberg $ICEBERG_VERSION jetty $JETTY_VERSION hadoop $HADOOP_VERSION sqlite-jdbc $SQLITE_JDBC_VERSION slf4j $SLF4J_VERSION"
if [ "$(cat "$rest_dir/lib/.versions" 2>/dev/null)" != "$stamp" ]; then
  echo "install-catalog-servers: fetching the Iceberg REST catalog server $ICEBERG_VERSION's class path with Maven into $rest_dir/lib (first run only)" >&2
  mkdir -p "$rest_dir"
  rm -rf "$rest_dir/lib"
  dep() { # groupId artifactId version [classifier]
    printf '    <dependency><groupId>%s</groupId><artifactId>%s</artifactId><version>%s</version>%s</dependency>\n' \
      "$1" "$2" "$3" "${4:+<classifier>$4</classifier>}"
  }
  {
    cat <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>s3-connector.test</groupId>
  <artifactId>iceberg-rest-server</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
EOF
    dep org.apache.iceberg iceberg-open-api "$ICEBERG_VERSION" test-fixtures
    dep org.apache.iceberg iceberg-core "$ICEBERG_VERSION"
    dep org.apache.iceberg iceberg-core "$ICEBERG_VERSION" tests
    dep org.apache.iceberg iceberg-aws "$ICEBERG_VERSION"
    dep org.apache.iceberg iceberg-aws-bundle "$ICEBERG_VERSION"
    dep org.eclipse.jetty jetty-servlet "$JETTY_VERSION"
    dep org.apache.hadoop hadoop-client-api "$HADOOP_VERSION"
    dep org.apache.hadoop hadoop-client-runtime "$HADOOP_VERSION"
    dep org.xerial sqlite-jdbc "$SQLITE_JDBC_VERSION"
    dep org.slf4j slf4j-simple "$SLF4J_VERSION"
    cat <<EOF
  </dependencies>
</project>
EOF
  } >"$rest_dir/pom.xml"
  mvn -q -B -f "$rest_dir/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$rest_dir/lib" \
    || { echo "install-catalog-servers: mvn dependency:copy-dependencies failed (see above). Fix: check that Maven reaches Maven Central." >&2; exit 1; }
  echo "$stamp" >"$rest_dir/lib/.versions"
fi

if [ "$("$venv/bin/python" -c 'from importlib.metadata import version; print(version("moto"))' 2>/dev/null)" != "$MOTO_VERSION" ] || [ ! -x "$venv/bin/moto_server" ]; then
  echo "install-catalog-servers: installing moto[server] $MOTO_VERSION into $venv (first run only)" >&2
  ensure_venv || exit 1
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" \
    || { echo "install-catalog-servers: pip install moto[server]==$MOTO_VERSION failed (see above)." >&2; exit 1; }
fi
echo "install-catalog-servers: ok (Iceberg REST catalog server $ICEBERG_VERSION, moto $MOTO_VERSION)" >&2
