package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/site"
	"github.com/feeflow/feeflow/templates"
)

// The SQL workbench (GET /sql) is the analysts' page: it runs queries
// through the SQL API (POST /api/v1/sql, the session's CSRF token in
// X-CSRF-Token), so the page, `feeflow sql` and scripts share one gate, one
// set of limits and one worker. Saved queries have JSON endpoints of their
// own, open to the analyst role: GET and POST /api/v1/queries, DELETE
// /api/v1/queries/{id} (its author, or an admin).

// maxSavedBody bounds a request saving a query, bytes: the SQL's limit,
// with room for JSON's escapes.
const maxSavedBody = 8 * data.MaxSavedSQL

func (s *Server) handleWorkbenchCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Write(templates.WorkbenchCSS)
}

func (s *Server) handleWorkbenchJS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Write(templates.WorkbenchJS)
}

// handleVendor serves the ECharts the site vendors, with its LICENSE and
// NOTICE, to the server's pages that draw charts.
func (s *Server) handleVendor(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	b, ok := site.ECharts(name)
	if !ok {
		http.NotFound(w, r)
		return
	}
	ct := "text/plain; charset=utf-8"
	if name == "echarts.min.js" {
		ct = "text/javascript; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(b)
}

// handleWorkbench shows the workbench to someone signed in with the analyst
// role.
func (s *Server) handleWorkbench(w http.ResponseWriter, r *http.Request) {
	who, err := s.authorize(r, Analyst, false)
	if err != nil {
		s.refusePage(w, r, err)
		return
	}
	p, err := s.workbenchPage(r.Context(), s.desk(w, r, who, "/sql"), who)
	if err != nil {
		s.refusePage(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := templates.Workbench(p).Render(r.Context(), w); err != nil {
		s.cfg.Logger.Error("render workbench", "err", err)
	}
}

func (s *Server) workbenchPage(ctx context.Context, d templates.Desk, who principal) (templates.WorkbenchPage, error) {
	p := templates.WorkbenchPage{
		Desk: d, RowLimit: s.cfg.SQLMaxRows, DownloadRows: maxSQLRows, ByteLimit: byteSize(data.DefaultMaxBytes),
		Timeout: s.cfg.SQLTimeout.String(), MaxTitle: data.MaxSavedTitle, MaxSQL: data.MaxSavedSQL,
	}
	dict, err := analytics.Dictionary(ctx, s.cfg.Store)
	if err != nil {
		return p, err
	}
	relations := func(rels []analytics.Relation) []templates.WorkbenchRelation {
		var out []templates.WorkbenchRelation
		for _, r := range rels {
			wr := templates.WorkbenchRelation{Name: r.Name, Comment: r.Comment}
			for _, c := range r.Columns {
				wr.Columns = append(wr.Columns, templates.WorkbenchColumn{Name: c.Name, Type: c.Type, Comment: c.Comment})
			}
			out = append(out, wr)
		}
		return out
	}
	p.Views, p.Tables = relations(dict.Views), relations(dict.Tables)
	for _, m := range dict.Macros {
		p.Macros = append(p.Macros, templates.WorkbenchMacro{Name: m.Name, Table: m.Table, Parameters: m.Parameters, Comment: m.Comment})
	}
	for _, e := range dict.Examples {
		p.Examples = append(p.Examples, templates.WorkbenchExample{Title: e.Title, SQL: e.SQL})
	}
	if p.Saved, err = s.savedQueries(ctx, who); err != nil {
		return p, err
	}
	return p, nil
}

// savedQueries lists the saved queries for who, newest first, dated in the
// organisation's zone.
func (s *Server) savedQueries(ctx context.Context, who principal) ([]templates.WorkbenchSaved, error) {
	list, err := s.cfg.Store.SavedQueries(ctx)
	if err != nil {
		return nil, err
	}
	loc := analytics.Zone(ctx, s.cfg.Store)
	out := []templates.WorkbenchSaved{}
	for _, q := range list {
		out = append(out, templates.WorkbenchSaved{
			ID: q.ID, Title: q.Title, SQL: q.SQL, Author: q.Author, Date: q.CreatedAt.In(loc).Format("2006-01-02 15:04"),
			MayDelete: mayDelete(who, q),
		})
	}
	return out, nil
}

// mayDelete says who may delete q: its author, or an admin.
func mayDelete(who principal, q data.SavedQuery) bool {
	return q.Author == who.name || who.roles.Has(Admin)
}

// handleSavedQueries answers {"queries": [{"id", "title", "sql", "author",
// "date", "may_delete"}]}, newest first.
func (s *Server) handleSavedQueries(w http.ResponseWriter, r *http.Request) {
	who, err := s.authorize(r, Analyst, false)
	if err != nil {
		s.answerError(w, "saved queries", err)
		return
	}
	list, err := s.savedQueries(r.Context(), who)
	if err != nil {
		s.answerError(w, "saved queries", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"queries": list})
}

// handleSaveQuery saves {"title", "sql"} under the name of who sent it,
// without running it; it answers the saved query, 201.
func (s *Server) handleSaveQuery(w http.ResponseWriter, r *http.Request) {
	who, err := s.authorize(r, Analyst, true)
	if err != nil {
		s.answerError(w, "save query", err)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSavedBody))
	if err != nil {
		s.answerError(w, "save query", err)
		return
	}
	var req struct {
		Title *string `json:"title"`
		SQL   *string `json:"sql"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.Title == nil || req.SQL == nil {
		s.answerError(w, "save query", errorf(CodeBadRequest, `send {"title": "...", "sql": "SELECT ..."} as JSON`))
		return
	}
	q := data.SavedQuery{Title: *req.Title, SQL: *req.SQL, Author: who.name, CreatedAt: s.cfg.Now()}
	if err := q.Check(); err != nil {
		s.answerError(w, "save query", errorf(CodeBadRequest, "the query was not saved: %v", err))
		return
	}
	saved, err := s.cfg.Store.SaveQuery(r.Context(), q)
	if err != nil {
		s.answerError(w, "save query", err)
		return
	}
	loc := analytics.Zone(r.Context(), s.cfg.Store)
	writeJSON(w, http.StatusCreated, templates.WorkbenchSaved{
		ID: saved.ID, Title: saved.Title, SQL: saved.SQL, Author: saved.Author,
		Date: saved.CreatedAt.In(loc).Format("2006-01-02 15:04"), MayDelete: true,
	})
}

// handleDeleteQuery deletes a saved query: its author's, or any for an
// admin; 204 when deleted.
func (s *Server) handleDeleteQuery(w http.ResponseWriter, r *http.Request) {
	who, err := s.authorize(r, Analyst, true)
	if err != nil {
		s.answerError(w, "delete query", err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.answerError(w, "delete query", errorf(CodeBadRequest, "%q is not the number of a saved query", r.PathValue("id")))
		return
	}
	q, found, err := s.cfg.Store.SavedQueryByID(r.Context(), id)
	switch {
	case err != nil:
		s.answerError(w, "delete query", err)
		return
	case !found:
		answerNoSuchQuery(w, id)
		return
	case !mayDelete(who, q):
		s.answerError(w, "delete query", errorf(CodeForbidden, "%s may not delete %q: only %s, who saved it, or an admin may", who.name, q.Title, q.Author))
		return
	}
	author := who.name
	if who.roles.Has(Admin) {
		author = ""
	}
	deleted, err := s.cfg.Store.DeleteSavedQuery(r.Context(), id, author)
	if err != nil {
		s.answerError(w, "delete query", err)
		return
	}
	if !deleted { // deleted meanwhile
		answerNoSuchQuery(w, id)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// answerNoSuchQuery answers 404 for a saved query that is not there (the
// server's codes name no other missing thing a client asks for by number).
func answerNoSuchQuery(w http.ResponseWriter, id int64) {
	writeJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("no saved query %d", id), "code": "not_found"})
}
