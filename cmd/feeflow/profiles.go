package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/feeflow/feeflow/ingest"
)

// runProfiles lists the built-in statement profiles.
func runProfiles(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "profiles", "[--json]")
	asJSON := fs.Bool("json", false, "print the list as JSON")
	tz := tzFlag(fs) // every command takes --tz; the list does not depend on it
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if _, err := loadZone(*tz); err != nil {
		return err
	}
	l := ingest.BuiltinProfiles()
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(l)
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tTITLE\t标题")
	for _, p := range l {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Name, p.Kind, p.Title["en"], p.Title["zh"])
	}
	tw.Flush()
	fmt.Fprintln(e.stdout, "\nA file of one of these layouts is recognised by its header; --map NAME picks one. docs/profiles.md says how to write your own.")
	return nil
}
