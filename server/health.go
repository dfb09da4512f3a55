package server

import (
	"context"
	"net/http"
	"sort"
	"sync"
	"time"
)

// health keeps the latest failure of each part of the server (ingest,
// publish, snapshot, worker) until that part next succeeds, and the latest
// failure of all, which /healthz reports with its time.
type health struct {
	now func() time.Time

	mu     sync.Mutex
	last   map[string]*failure // by part; nil once the part succeeded again
	latest *failure
}

// failure is a part's failure as /healthz shows it: the code and the
// message a client would have read, never an internal detail or a path.
type failure struct {
	What  string    `json:"what"`
	Code  string    `json:"code"`
	Error string    `json:"error"`
	At    time.Time `json:"at"`
}

func (h *health) failed(what string, err error) {
	f := &failure{What: what, Code: codeOf(err), Error: message(err), At: h.now().UTC()}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.last[what], h.latest = f, f
}

func (h *health) succeeded(what string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.last, what)
}

// failing lists the parts whose latest attempt failed, by name.
func (h *health) failing() ([]failure, *failure) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []failure
	for _, f := range h.last {
		out = append(out, *f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].What < out[j].What })
	var latest *failure
	if h.latest != nil {
		l := *h.latest
		latest = &l
	}
	return out, latest
}

// healthAnswer is GET /healthz's body.
type healthAnswer struct {
	Status      string    `json:"status"`   // ok, or failing
	Database    string    `json:"database"` // ok, or why the probe query failed
	Worker      string    `json:"worker"`   // ok, failing, or in-process
	Failing     []failure `json:"failing"`  // parts whose latest attempt failed
	LastFailure *failure  `json:"last_failure"`
}

// handleHealth answers 200 when the store answers a probe query and no part
// of the server is failing, and 503 otherwise, with what fails and since
// when. It does not query the analysts' worker (a long query holds it); the
// worker's state is that of its latest query or snapshot.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	a := healthAnswer{Status: "ok", Database: "ok", Worker: "ok"}
	var n int64
	if err := s.cfg.Store.DB().QueryRowContext(ctx, `SELECT count(*) FROM ingest_batches`).Scan(&n); err != nil {
		s.cfg.Logger.Error("health probe failed", "err", err)
		a.Status, a.Database = "failing", "the probe query failed: "+message(err)
	}
	a.Failing, a.LastFailure = s.health.failing()
	if a.Failing == nil {
		a.Failing = []failure{}
	}
	for _, f := range a.Failing {
		a.Status = "failing"
		if f.What == "worker" || f.What == "snapshot" {
			a.Worker = "failing"
		}
	}
	if _, ok := s.cfg.SQL.(inProcess); ok {
		a.Worker = "in-process"
	}
	status := http.StatusOK
	if a.Status != "ok" {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, a)
}
