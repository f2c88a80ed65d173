#!/bin/sh
# The namespace the worker and the CLI use, then the Keyword search attributes the connector
# sets on every run (registering them needs the namespace). Safe to run on every start; any
# failure stops the stack: no error is ignored.
set -eu
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" | grep -q SERVING; do
  echo "temporal-setup: waiting for Temporal at $TEMPORAL_ADDRESS"
  sleep 2
done
if ! temporal operator namespace describe --namespace "$NAMESPACE" --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; then
  temporal operator namespace create --namespace "$NAMESPACE" --address "$TEMPORAL_ADDRESS"
fi
existing=$(temporal operator search-attribute list --namespace "$NAMESPACE" --address "$TEMPORAL_ADDRESS")
for name in ConnectorJob ConnectorSource ConnectorDataset; do
  if ! echo "$existing" | grep -qw "$name"; then
    temporal operator search-attribute create --namespace "$NAMESPACE" --address "$TEMPORAL_ADDRESS" --name "$name" --type Keyword
  fi
done
echo "temporal-setup: namespace $NAMESPACE and search attributes ready"
