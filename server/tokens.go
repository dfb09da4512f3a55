package server

import (
	"bufio"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// Tokens are the bearer tokens allowed to write, each with the name recorded
// as uploaded_by. Only SHA-256 digests are kept in memory.
type Tokens struct {
	entries []tokenEntry
}

type tokenEntry struct {
	name   string
	digest [sha256.Size]byte
}

// ParseTokens reads "name:token,name2:token2" (the FEEFLOW_TOKENS form).
func ParseTokens(s string) (Tokens, error) {
	var t Tokens
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if err := t.add(part); err != nil {
			return Tokens{}, err
		}
	}
	return t, nil
}

// ReadTokensFile reads one token a line: "name:token", or "name:sha256:HEX"
// to keep only the token's digest in the file. Blank lines and lines starting
// with # are skipped.
func ReadTokensFile(r io.Reader) (Tokens, error) {
	var t Tokens
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := t.add(line); err != nil {
			return Tokens{}, fmt.Errorf("tokens file line %d: %w", n, err)
		}
	}
	return t, sc.Err()
}

func (t *Tokens) add(entry string) error {
	name, secret, ok := strings.Cut(entry, ":")
	name, secret = strings.TrimSpace(name), strings.TrimSpace(secret)
	if !ok || name == "" || secret == "" {
		return fmt.Errorf("token entry must be name:token (the token itself is not shown here)")
	}
	e := tokenEntry{name: name}
	if hexDigest, isHash := strings.CutPrefix(secret, "sha256:"); isHash {
		b, err := hex.DecodeString(hexDigest)
		if err != nil || len(b) != sha256.Size {
			return fmt.Errorf("token %s: sha256: must be followed by 64 hex digits", name)
		}
		copy(e.digest[:], b)
	} else {
		if len(secret) < 16 {
			return fmt.Errorf("token %s is shorter than 16 characters", name)
		}
		e.digest = sha256.Sum256([]byte(secret))
	}
	t.entries = append(t.entries, e)
	return nil
}

// Len is the number of tokens.
func (t Tokens) Len() int { return len(t.entries) }

// Check returns the name of the token presented, comparing digests in
// constant time against every entry so timing tells nothing.
func (t Tokens) Check(presented string) (string, bool) {
	if presented == "" {
		return "", false
	}
	d := sha256.Sum256([]byte(presented))
	name, found := "", false
	for _, e := range t.entries {
		if subtle.ConstantTimeCompare(d[:], e.digest[:]) == 1 {
			name, found = e.name, true
		}
	}
	return name, found
}
