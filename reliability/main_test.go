// Package reliability_test holds the suites that prove feeflow's promises
// against the real binary: crashes, load and hostile input. See RELIABILITY.md.
package reliability_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// binary is the feeflow command built once for the whole suite.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "feeflow-reliability-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "feeflow")
	build := exec.Command("go", "build", "-o", binary, "github.com/feeflow/feeflow/cmd/feeflow")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build feeflow:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is one running `feeflow serve` process.
type server struct {
	cmd    *exec.Cmd
	addr   string
	done   chan error
	exited bool
}

const token = "reliability-token-0123456789"

// startServer runs feeflow serve on a free loopback port and waits until
// /healthz answers.
func startServer(t testing.TB, db, site, addr string) *server {
	t.Helper()
	if addr == "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr = ln.Addr().String()
		ln.Close()
	}
	args := []string{"serve", "--db", db, "--addr", addr, "--tz", "Asia/Taipei"}
	if site != "" {
		args = append(args, "--site", site)
	}
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "FEEFLOW_TOKENS=crash:"+token)
	logf, _ := os.OpenFile(db+".server.log", os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, addr: addr, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait(); logf.Close() }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			b, _ := os.ReadFile(db + ".server.log")
			t.Fatalf("server exited at start: %v\n%s", err, b)
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/healthz", nil)
		resp, err := http.DefaultClient.Do(req)
		cancel()
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.kill()
	t.Fatalf("server on %s did not come up", addr)
	return nil
}

// kill ends the process with SIGKILL: no chance to finish anything.
func (s *server) kill() {
	if s.exited {
		return
	}
	s.cmd.Process.Kill()
	<-s.done
	s.exited = true
}

// stop ends the process with SIGTERM and waits for its graceful exit; it
// does nothing once the process has exited.
func (s *server) stop(t testing.TB) {
	if s.exited {
		return
	}
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
		s.exited = true
	case <-time.After(3 * time.Minute):
		t.Error("server did not stop within 3 minutes of SIGTERM")
		s.kill()
	}
}
