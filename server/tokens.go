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

// Tokens are the bearer tokens of the tokens file or FEEFLOW_TOKENS, each
// with the name recorded as uploaded_by and its roles. Only SHA-256 digests
// are kept in memory. Tokens stored in the database are checked too (see
// Server.authenticate).
type Tokens struct {
	entries []tokenEntry
}

type tokenEntry struct {
	name   string
	roles  Roles
	digest [sha256.Size]byte
}

// ParseTokens reads comma-separated entries (the FEEFLOW_TOKENS form); each
// entry is one of ReadTokensFile's lines.
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

// ReadTokensFile reads one token a line:
//
//	name:token                 roles finance+analyst+admin (the form from before roles)
//	name:sha256:HEX            the same, keeping only the token's digest in the file
//	name:ROLES:token           ROLES joined by +, e.g. finance or viewer+analyst
//	name:ROLES:sha256:HEX      what `feeflow token --name N --role R` prints
//
// Blank lines and lines starting with # are skipped.
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
		return fmt.Errorf("token entry must be name:token or name:ROLES:token (the token itself is not shown here)")
	}
	e := tokenEntry{name: name, roles: legacyRoles}
	// A second field that names roles is the roles; otherwise the entry is of
	// the form from before roles, and the rest is the token (or its digest).
	if first, rest, ok := strings.Cut(secret, ":"); ok && first != "sha256" {
		if rs, err := ParseRoles(first); err == nil {
			e.roles, secret = rs, strings.TrimSpace(rest)
		} else if looksLikeRoles(first) {
			return fmt.Errorf("token %s: %v", name, err)
		}
	}
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

// looksLikeRoles says a field was meant as roles (letters and + only) but
// names an unknown one, so the mistake is reported instead of being taken
// as part of a token.
func looksLikeRoles(s string) bool {
	if !strings.Contains(s, "+") {
		return false
	}
	for _, r := range s {
		if r != '+' && (r < 'a' || r > 'z') {
			return false
		}
	}
	return true
}

// Len is the number of tokens.
func (t Tokens) Len() int { return len(t.entries) }

// Check returns the name and roles of the token presented, comparing
// digests in constant time against every entry so timing tells nothing.
func (t Tokens) Check(presented string) (string, Roles, bool) {
	if presented == "" {
		return "", 0, false
	}
	d := sha256.Sum256([]byte(presented))
	name, roles, found := "", Roles(0), false
	for _, e := range t.entries {
		if subtle.ConstantTimeCompare(d[:], e.digest[:]) == 1 {
			name, roles, found = e.name, e.roles, true
		}
	}
	return name, roles, found
}

// TokenDigest is the hex SHA-256 of a token, as stored.
func TokenDigest(token string) string {
	d := sha256.Sum256([]byte(token))
	return hex.EncodeToString(d[:])
}
