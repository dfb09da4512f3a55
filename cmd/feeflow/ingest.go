package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/ingest"
)

func runIngest(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "ingest", "--db PATH --kind KIND [--map NAME|FILE.json] [--explain] [flags] FILE...")
	db := fs.String("db", "", "database file (created if missing)")
	kind := fs.String("kind", "", "record kind: "+strings.Join(ingest.KindNames(), ", "))
	allow := fs.Bool("allow-errors", false, "commit the good rows and report the bad ones")
	dry := fs.Bool("dry-run", false, "validate and report, write nothing")
	enc := fs.String("encoding", "auto", "file encoding: auto, utf-8, gbk or big5")
	mapFile := fs.String("map", "", "profile: NAME of a built-in or stored profile, or FILE.json (default: recognise a built-in one, else feeflow's headers)")
	mapsDir := fs.String("maps", e.getenv("FEEFLOW_MAPS"), "folder of stored profiles NAME.json for --map NAME (env FEEFLOW_MAPS)")
	explain := fs.Bool("explain", false, "show how each file would be read (encoding, profile, header, skipped lines, mapping, first rows); write nothing")
	currency := fs.String("currency", e.getenv("FEEFLOW_CURRENCY"), "the organisation's currency (ISO code, e.g. CNY, TWD); statement rows in another are refused (default: the profile's, else CNY; env FEEFLOW_CURRENCY)")
	sheet := fs.String("sheet", "", "XLSX sheet to read (default: the first)")
	asJSON := fs.Bool("json", false, "print each answer as JSON")
	server := fs.String("server", "", "send the files to a running `feeflow serve` at this URL instead of opening the database")
	token := fs.String("token", "", "token for --server (default: $FEEFLOW_TOKEN)")
	tz := tzFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *kind == "" {
		return usagef("--kind is required (one of %s)", strings.Join(ingest.KindNames(), ", "))
	}
	if _, ok := ingest.KindByName(*kind); !ok {
		return usagef("--kind %q: want one of %s", *kind, strings.Join(ingest.KindNames(), ", "))
	}
	switch *enc {
	case "auto", "utf-8", "gbk", "big5":
	default:
		return usagef("--encoding %q: want auto, utf-8, gbk or big5", *enc)
	}
	if fs.NArg() == 0 {
		return usagef("name at least one FILE to ingest")
	}
	if *server == "" && *db == "" && !*explain {
		return usagef("--db is required (or --server URL to go through a running server)")
	}
	loc, err := loadZone(*tz)
	if err != nil {
		return err
	}
	var profile ingest.Profile
	mapIsFile := strings.HasSuffix(strings.ToLower(*mapFile), ".json") || strings.ContainsAny(*mapFile, `/\`)
	switch {
	case *mapFile == "":
	case mapIsFile:
		b, err := os.ReadFile(*mapFile)
		if err != nil {
			return err
		}
		if profile, err = ingest.ParseProfile(b); err != nil {
			return fmt.Errorf("%s: %v", *mapFile, err)
		}
	case *server == "":
		if profile, err = ingest.LookupProfile(*mapFile, *mapsDir); err != nil {
			return usagef("--map %s: %s", *mapFile, strings.TrimPrefix(err.Error(), ingest.ErrBadRequest.Error()+": "))
		}
	}
	if *explain {
		if *server != "" {
			return usagef("--explain reads the files here; drop --server")
		}
		in := ingest.New(nil, ingest.Config{Location: loc, Now: e.now, Currency: *currency})
		failed := false
		for _, path := range fs.Args() {
			ex, err := in.Explain(ctx, ingest.Upload{Kind: *kind, Path: path, FileName: filepath.Base(path), Encoding: *enc, Sheet: *sheet, Profile: profile})
			if err != nil {
				failed = true
				fmt.Fprintf(e.stderr, "%s: %v\n", path, err)
				continue
			}
			printExplanation(e, path, ex, *asJSON)
		}
		if failed {
			return errSilent
		}
		return nil
	}
	up := ingest.Upload{Kind: *kind, Encoding: *enc, Sheet: *sheet, Profile: profile, AllowErrors: *allow, DryRun: *dry}

	var send func(ctx context.Context, up ingest.Upload) (*ingest.Result, error)
	if *server != "" {
		if mapIsFile {
			return usagef("--map FILE is not sent to a server; store the profile on the server and pass --map NAME")
		}
		tok := *token
		if tok == "" {
			tok = e.getenv("FEEFLOW_TOKEN")
		}
		c := &client{base: strings.TrimRight(*server, "/"), token: tok, tz: *tz, profile: *mapFile}
		send = c.ingest
	} else {
		if err := checkBeforeIngest(ctx, *db, loc, *kind); err != nil {
			return err
		}
		store, err := openStoreForIngest(ctx, *db, loc)
		if err != nil {
			return err
		}
		defer store.Close()
		in := ingest.New(store, ingest.Config{Location: loc, Now: e.now, Currency: *currency})
		send = in.Ingest
	}

	failed := false
	for _, path := range fs.Args() {
		u := up
		u.Path, u.FileName = path, filepath.Base(path)
		res, err := send(ctx, u)
		if res != nil {
			printResult(e, u, res, err, *asJSON)
		}
		if err != nil {
			failed = true
			if res == nil {
				fmt.Fprintf(e.stderr, "%s: %v\n", path, err)
				var le *data.LockedError
				if errors.As(err, &le) {
					return errSilent
				}
			}
		}
	}
	if failed {
		return errSilent
	}
	return nil
}

// printResult shows one answer as a finance user reads it, or as JSON.
func printResult(e *env, u ingest.Upload, res *ingest.Result, err error, asJSON bool) {
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.Encode(res)
		return
	}
	w := e.stdout
	name := u.FileName
	switch {
	case res.DuplicateOf != nil:
		fmt.Fprintf(w, "%s: already ingested as batch %s; nothing written\n", name, *res.DuplicateOf)
		return
	case errors.Is(err, ingest.ErrRejected):
		fmt.Fprintf(w, "%s: rejected, nothing written: %d of %d rows have problems", name, res.RowsRejected, res.RowsTotal)
		if res.RowsTotal > 0 {
			fmt.Fprint(w, " (--allow-errors keeps the good rows)")
		}
		fmt.Fprintln(w)
	case err != nil:
		fmt.Fprintf(w, "%s: cannot be read: %v\n", name, err)
	case res.DryRun:
		fmt.Fprintf(w, "%s: checked (dry run), nothing written: %d rows, %d would be accepted, %d rejected, %d already in the database\n",
			name, res.RowsTotal, res.RowsAccepted, res.RowsRejected, res.RowsDuplicate)
	default:
		fmt.Fprintf(w, "%s: ingested as batch %s: %d rows, %d accepted, %d rejected, %d already in the database\n",
			name, res.BatchID, res.RowsTotal, res.RowsAccepted, res.RowsRejected, res.RowsDuplicate)
	}
	if res.Profile != "" {
		fmt.Fprintf(w, "  read with profile %s (header on line %d)\n", res.Profile, res.HeaderRow)
	}
	for _, d := range res.Dropped {
		fmt.Fprintf(w, "  dropped %d %s: %s\n", d.Rows, plural(d.Rows, "row", "rows"), d.Reason)
	}
	if n := len(res.Skipped) + res.SkippedOmitted; n > 0 {
		fmt.Fprintf(w, "  skipped %d %s that are not rows (preamble, footers; --json lists them)\n", n, plural(n, "line", "lines"))
	}
	if len(res.IgnoredColumns) > 0 {
		fmt.Fprintf(w, "  columns not read: %s\n", strings.Join(res.IgnoredColumns, ", "))
	}
	if len(res.Errors) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  ROW\tCOLUMN\tVALUE\tPROBLEM")
	for _, re := range res.Errors {
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\n", re.Row, re.Column, quoteValue(re.Value), re.Message)
	}
	tw.Flush()
	if res.ErrorsOmitted > 0 {
		fmt.Fprintf(w, "  … and %d more problems\n", res.ErrorsOmitted)
	}
}

func quoteValue(v string) string {
	if v == "" {
		return ""
	}
	return fmt.Sprintf("%q", v)
}

// uploadType is the Content-Type a file is sent with: its media type by
// extension, without a charset (the machine's MIME table says utf-8 for
// .csv, which would mislabel a GBK or Big5 export): the server detects the
// encoding, or takes --encoding, sent as ?encoding=.
func uploadType(path string) string {
	mt, _, err := mime.ParseMediaType(mime.TypeByExtension(strings.ToLower(filepath.Ext(path))))
	if err != nil || mt == "" {
		return "application/octet-stream"
	}
	return mt
}

// client sends work to a running server.
type client struct {
	base, token, tz string // tz: the zone for timestamps without an offset, "" for the server's
	profile         string // a profile's name, sent as ?map=
	http            http.Client
}

func (c *client) ingest(ctx context.Context, up ingest.Upload) (*ingest.Result, error) {
	f, err := os.Open(up.Path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	q := url.Values{}
	q.Set("filename", up.FileName)
	if c.tz != "" {
		q.Set("tz", c.tz)
	}
	if up.AllowErrors {
		q.Set("allow_errors", "true")
	}
	if up.DryRun {
		q.Set("dry_run", "true")
	}
	if up.Encoding != "" && up.Encoding != "auto" {
		q.Set("encoding", up.Encoding)
	}
	if up.Sheet != "" {
		q.Set("sheet", up.Sheet)
	}
	if c.profile != "" {
		q.Set("map", c.profile)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/api/v1/ingest/"+url.PathEscape(up.Kind)+"?"+q.Encode(), f)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", uploadType(up.Path))
	req.Header.Set("Authorization", "Bearer "+c.token)
	c.http.Timeout = 30 * time.Minute
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("send to %s: %w", c.base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	var a struct {
		ingest.Result
		Error string `json:"error"`
		Code  string `json:"code"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("server answered %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	switch {
	case a.Code == "" && resp.StatusCode == http.StatusOK:
		return &a.Result, nil
	case a.Code == string(ingest.Rejected):
		return &a.Result, ingest.ErrRejected
	case a.Code == string(ingest.BadFile):
		return &a.Result, &ingest.BadFileError{Err: errors.New(a.Error)}
	}
	return nil, fmt.Errorf("server answered %s (%s): %s", resp.Status, a.Code, a.Error)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// printExplanation shows how a file would be read, or the JSON of it.
func printExplanation(e *env, path string, ex *ingest.Explanation, asJSON bool) {
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.Encode(ex)
		return
	}
	w := e.stdout
	fmt.Fprintf(w, "%s: %s, %s\n", path, ex.Format, ex.Encoding)
	if ex.Profile != "" {
		fmt.Fprintf(w, "profile:  %s (%s)\n", ex.Profile, ex.ProfileTitle["en"])
	} else {
		fmt.Fprintln(w, "profile:  none (feeflow's own headers)")
	}
	fmt.Fprintf(w, "header:   line %d: %s\n", ex.HeaderRow, strings.Join(ex.Header, " | "))
	fmt.Fprintln(w, "mapping:")
	for _, m := range ex.Mapping {
		fmt.Fprintf(w, "  %-14s <- %s\n", m.Column, m.From)
	}
	if len(ex.IgnoredColumns) > 0 {
		fmt.Fprintf(w, "ignored:  %s\n", strings.Join(ex.IgnoredColumns, ", "))
	}
	for _, s := range ex.Skipped {
		fmt.Fprintf(w, "skipped:  line %d: %s\n", s.Row, s.Reason)
	}
	if ex.SkippedOmitted > 0 {
		fmt.Fprintf(w, "skipped:  … and %d more lines\n", ex.SkippedOmitted)
	}
	for _, d := range ex.Dropped {
		fmt.Fprintf(w, "dropped:  %d %s: %s\n", d.Rows, plural(d.Rows, "row", "rows"), d.Reason)
	}
	fmt.Fprintf(w, "rows:     %d, %d with problems\n", ex.Rows, ex.Rejected)
	for _, re := range ex.Errors {
		fmt.Fprintf(w, "  line %d %s %s: %s\n", re.Row, re.Column, quoteValue(re.Value), re.Message)
	}
	if len(ex.Preview) == 0 {
		return
	}
	fmt.Fprintf(w, "first %d rows as they would be stored:\n", len(ex.Preview))
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  line\t%s\n", strings.Join(ex.Columns, "\t"))
	for _, r := range ex.Preview {
		fmt.Fprintf(tw, "  %d\t%s\n", r.Row, strings.Join(r.Values, "\t"))
	}
	tw.Flush()
}
