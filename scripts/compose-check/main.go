// compose-check loads a Docker Compose file with compose-go, the loader Docker Compose itself
// uses: the Compose Specification's JSON Schema, interpolation of ${VAR:-default}, and the
// checks across services (depends_on naming a defined service, volumes declared). It prints the
// resolved project as YAML, as `docker compose config` does, or the problem and exit code 1.
// The tests use it to check docker-compose.yml on machines without a Docker engine.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-check COMPOSE_FILE...")
		os.Exit(2)
	}
	if err := check(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func check(files []string) error {
	opts, err := cli.NewProjectOptions(files, cli.WithOsEnv, cli.WithDotEnv, cli.WithName("s3-connector"))
	if err != nil {
		return err
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		return err
	}
	out, err := project.MarshalYAML()
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(out)
	return err
}
