/**
 * The starter config `s3-connector init` writes: every top-level section, commented, with one
 * working source and sync against a local MinIO (the `dev` defaults) and the rest shown as
 * comments to uncomment. It must pass `config validate` as written (a unit test keeps it so).
 */

/** The starter file's text. */
export const STARTER_CONFIG = `# s3-connector configuration. Reference: docs/config.md in the package.
# Check it with \`s3-connector config validate\`; editors can use \`s3-connector config schema\`.

sources:
  landing:                                  # a bucket (and optional prefix) to read from
    url: s3://landing/                      # s3://BUCKET/PREFIX/
    endpoint: http://127.0.0.1:9000         # AWS: s3.REGION.amazonaws.com
    region: us-east-1
    pathStyleAccess: true                   # MinIO, and AWS buckets with dots in their names
    credentials:
      type: accessKey
      accessKeyId: \${env:S3_ACCESS_KEY_ID}        # secrets are references, resolved on workers only
      secretAccessKey: \${env:S3_SECRET_ACCESS_KEY} # \${file:/run/secrets/NAME} reads a file
    maxErrorRetries: 3
    # exports: { enabled: true }            # allow exports to write into this source

datasetStore: ./datasets                    # a folder, or an s3:// URL of a source's bucket

syncs:
  landing-files:                            # S3 -> dataset, started by \`s3-connector sync landing-files\`
    source: landing
    subfolder: incoming/
    dataset: landing_files
    mode: bulk                              # bulk (snapshot) | incremental | media
    filters:
      include: ["**/*.csv", "**/*.json"]
    # schedule: { cron: "0 2 * * *" }       # Temporal Schedule, by \`s3-connector schedule apply\`

# exports:                                  # dataset -> S3, by \`s3-connector export NAME\`
#   to-landing:
#     dataset: landing_files
#     source: landing                       # needs exports: { enabled: true } on the source
#     pathPrefix: exports/

# virtualTables:                            # tables read where they are (s3-connector tables ...)
#   orders:
#     source: landing
#     format: delta                         # delta | parquet | avro | iceberg
#     location: tables/orders/
`;
