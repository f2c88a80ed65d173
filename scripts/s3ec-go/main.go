// Command s3ec-go puts and gets objects through the AWS S3 Encryption Client for Go
// (github.com/aws/amazon-s3-encryption-client-go/v3), the reference client of the interop tests
// (test/harness/s3ec-clients.ts). Same interface as scripts/fixtures/s3ec_python.py:
//
//	s3ec-go put --endpoint URL --kms-endpoint URL --region R --bucket B --key K --kms-key-id ID \
//	  --format v2 [--context k=v ...] < plaintext
//	s3ec-go get --endpoint URL --kms-endpoint URL --region R --bucket B --key K --kms-key-id ID \
//	  [--context k=v ...] > plaintext
//
// Credentials come from the AWS_* environment variables; S3 is addressed path-style (MinIO).
// The client (v3.1.0) writes only the v2 format (AES-256-GCM, kms+context) with one PutObject
// (it has no multipart upload) and reads v2 (and legacy CBC, not enabled here); it cannot read
// the key-committing format. It holds the whole object in memory to encrypt and to decrypt.
// On failure the client's error goes to stderr and the exit status is 1 (2 for bad arguments).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	s3ec "github.com/aws/amazon-s3-encryption-client-go/v3/client"
	"github.com/aws/amazon-s3-encryption-client-go/v3/materials"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// contextFlags collects repeated --context k=v pairs.
type contextFlags map[string]string

func (c contextFlags) String() string { return fmt.Sprint(map[string]string(c)) }

func (c contextFlags) Set(value string) error {
	k, v, ok := strings.Cut(value, "=")
	if !ok || k == "" {
		return fmt.Errorf("--context %q: expected key=value", value)
	}
	c[k] = v
	return nil
}

type options struct {
	endpoint, kmsEndpoint, region, bucket, key, kmsKeyID, format string
	context                                                      contextFlags
}

func parse(args []string) (options, error) {
	o := options{context: contextFlags{}}
	fs := flag.NewFlagSet("s3ec-go", flag.ContinueOnError)
	fs.StringVar(&o.endpoint, "endpoint", "", "S3 endpoint URL (path-style)")
	fs.StringVar(&o.kmsEndpoint, "kms-endpoint", "", "KMS endpoint URL")
	fs.StringVar(&o.region, "region", "us-east-1", "region of S3 and KMS")
	fs.StringVar(&o.bucket, "bucket", "", "bucket")
	fs.StringVar(&o.key, "key", "", "object key")
	fs.StringVar(&o.kmsKeyID, "kms-key-id", "", "KMS key id, ARN or alias/...")
	fs.StringVar(&o.format, "format", "v2", "put: v2 (the only format this client writes)")
	fs.Var(o.context, "context", "encryption context pair k=v (repeatable)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	for name, value := range map[string]string{"--endpoint": o.endpoint, "--kms-endpoint": o.kmsEndpoint, "--bucket": o.bucket, "--key": o.key, "--kms-key-id": o.kmsKeyID} {
		if value == "" {
			return o, fmt.Errorf("%s is required", name)
		}
	}
	return o, nil
}

func newClient(ctx context.Context, o options) (*s3ec.S3EncryptionClientV3, error) {
	// The client loads instruction files through a client of its own made from the environment:
	// this keeps that one on --endpoint too (an IP endpoint is addressed path-style).
	if err := os.Setenv("AWS_ENDPOINT_URL_S3", o.endpoint); err != nil {
		return nil, err
	}
	if err := os.Setenv("AWS_REGION", o.region); err != nil {
		return nil, err
	}
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(o.region))
	if err != nil {
		return nil, err
	}
	kmsClient := kms.NewFromConfig(cfg, func(k *kms.Options) { k.BaseEndpoint = aws.String(o.kmsEndpoint) })
	s3Client := s3.NewFromConfig(cfg, func(s *s3.Options) {
		s.BaseEndpoint = aws.String(o.endpoint)
		s.UsePathStyle = true
		s.DisableLogOutputChecksumValidationSkipped = true
	})
	cmm, err := materials.NewCryptographicMaterialsManager(materials.NewKmsKeyring(kmsClient, o.kmsKeyID))
	if err != nil {
		return nil, err
	}
	return s3ec.New(s3Client, cmm, func(c *s3ec.EncryptionClientOptions) { c.TempFolderPath = os.TempDir() })
}

func put(ctx context.Context, client *s3ec.S3EncryptionClientV3, o options) error {
	if o.format != "v2" {
		return fmt.Errorf("--format %s: the S3 Encryption Client for Go v3.1.0 writes only the v2 format; use --format v2", o.format)
	}
	// The client needs the body's length: stdin is spooled to a temporary file first.
	spool, err := os.CreateTemp("", "s3ec-go-*")
	if err != nil {
		return err
	}
	defer os.Remove(spool.Name())
	defer spool.Close()
	if _, err := io.Copy(spool, os.Stdin); err != nil {
		return err
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return err
	}
	ctx = context.WithValue(ctx, s3ec.EncryptionContext, map[string]string(o.context))
	_, err = client.PutObject(ctx, &s3.PutObjectInput{Bucket: &o.bucket, Key: &o.key, Body: spool})
	return err
}

// checkContext compares the expected pairs (none when no --context is given) with the stored
// x-amz-matdesc less the client's reserved key. The Go client takes no expected context on
// GetObject (it decrypts with the stored one), so the wrapper checks it, before any plaintext is
// written, as the Python client does (equality, not a subset).
func checkContext(stored string, expected contextFlags) error {
	var matdesc map[string]string
	if err := json.Unmarshal([]byte(stored), &matdesc); err != nil {
		return fmt.Errorf("x-amz-matdesc is not a JSON object of strings: %w", err)
	}
	delete(matdesc, "aws:x-amz-cek-alg")
	keys := make([]string, 0, len(expected))
	for k := range expected {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(matdesc) != len(expected) {
		return fmt.Errorf("s3ec-go: the object's encryption context has %d pairs, --context gave %d (%s)", len(matdesc), len(expected), strings.Join(keys, ", "))
	}
	for _, k := range keys {
		if got, ok := matdesc[k]; !ok || got != expected[k] {
			return fmt.Errorf("s3ec-go: the object's encryption context does not match --context at key %q", k)
		}
	}
	return nil
}

// instructionMatdesc reads x-amz-matdesc from the object's instruction file.
func instructionMatdesc(ctx context.Context, plain *s3.Client, o options) (string, error) {
	out, err := plain.GetObject(ctx, &s3.GetObjectInput{Bucket: &o.bucket, Key: aws.String(o.key + ".instruction")})
	if err != nil {
		return "", err
	}
	defer out.Body.Close()
	var envelope map[string]string
	if err := json.NewDecoder(out.Body).Decode(&envelope); err != nil {
		return "", fmt.Errorf("s3ec-go: %s.instruction is not a JSON object of strings: %w", o.key, err)
	}
	return envelope["x-amz-matdesc"], nil
}

func get(ctx context.Context, client *s3ec.S3EncryptionClientV3, o options) error {
	// The client fetches KEY.instruction when the v2 metadata is absent, and would look for it
	// on AWS itself; a key-committing object is refused here, by name, instead.
	head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &o.bucket, Key: &o.key})
	if err != nil {
		return err
	}
	if _, committing := head.Metadata["x-amz-c"]; committing {
		return fmt.Errorf("s3ec-go: %s is in the key-committing format (x-amz-c), which the S3 Encryption Client for Go v3.1.0 cannot read", o.key)
	}
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: &o.bucket, Key: &o.key})
	if err != nil {
		return err
	}
	defer out.Body.Close()
	matdesc, stored := out.Metadata["x-amz-matdesc"]
	if !stored {
		// The envelope is in KEY.instruction (the client has read it already; read it again to see the context).
		if matdesc, err = instructionMatdesc(ctx, client.Client, o); err != nil {
			return err
		}
	}
	if err := checkContext(matdesc, o.context); err != nil {
		return err
	}
	_, err = io.Copy(os.Stdout, out.Body)
	return err
}

func main() {
	if len(os.Args) < 2 || (os.Args[1] != "put" && os.Args[1] != "get") {
		fmt.Fprintln(os.Stderr, "usage: s3ec-go put|get --endpoint URL --kms-endpoint URL --region R --bucket B --key K --kms-key-id ID [--format v2] [--context k=v ...]")
		os.Exit(2)
	}
	o, err := parse(os.Args[2:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "s3ec-go:", err)
		os.Exit(2)
	}
	ctx := context.Background()
	client, err := newClient(ctx, o)
	if err == nil {
		if os.Args[1] == "put" {
			err = put(ctx, client, o)
		} else {
			err = get(ctx, client, o)
		}
	}
	if err != nil {
		var target interface{ ErrorCode() string }
		if errors.As(err, &target) {
			fmt.Fprintf(os.Stderr, "s3ec-go %s: %s: %v\n", os.Args[1], target.ErrorCode(), err)
		} else {
			fmt.Fprintf(os.Stderr, "s3ec-go %s: %v\n", os.Args[1], err)
		}
		os.Exit(1)
	}
}
