package source

import (
	"bytes"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/transform"
)

// Messages for files that are not text in an encoding we read.
const (
	msgUTF16   = "the file is UTF-16 (or binary); save it as CSV UTF-8"
	msgBinary  = "the file is not a text export (binary data)"
	msgUnknown = "cannot tell the file's encoding; it is not UTF-8, GBK or Big5 (choose one with --encoding)"
)

// evidenceScan is how far past the first 64 KiB we look for the first
// non-ASCII byte when the start of the file is plain ASCII.
const evidenceScan = 16 << 20

// text is a text export on disk: where its content starts (after a BOM) and
// how to decode it.
type text struct {
	file  *os.File
	size  int64
	start int64 // bytes of BOM to skip
	enc   Encoding
	opts  Options
}

func decoderOf(e Encoding) *encoding.Decoder {
	switch e {
	case GBK:
		return simplifiedchinese.GB18030.NewDecoder()
	case Big5:
		return traditionalchinese.Big5.NewDecoder()
	}
	return nil
}

// open returns a fresh stream of the decoded (UTF-8) content, BOM removed.
func (t *text) open() io.Reader {
	var r io.Reader = io.NewSectionReader(t.file, t.start, t.size-t.start)
	if d := decoderOf(t.enc); d != nil {
		r = transform.NewReader(r, d)
	}
	return r
}

// bufSize is the size of the read buffers for the decoded text: 64 KiB,
// less for a small file.
func (t *text) bufSize() int {
	return int(min(64<<10, max(4096, 3*t.size+16)))
}

// invalidText reports whether a decoded field holds bytes that were not valid in
// the file's encoding: invalid UTF-8 as it is, or U+FFFD put in their place
// by the GBK and Big5 decoders (and by encoding/json for UTF-8).
func invalidText(s string, enc Encoding, replaced bool) bool {
	if enc == UTF8 && !replaced {
		return !utf8.ValidString(s)
	}
	return strings.ContainsRune(s, utf8.RuneError)
}

// detect picks the encoding of the file from its first bytes; forced, when
// set, wins over detection but not over a BOM or the binary checks.
func (t *text) detect(head []byte, forced Encoding, format Format) (Encoding, int, *FileError) {
	bom, ferr := precheck(head)
	if ferr != nil {
		return "", 0, ferr
	}
	if bom > 0 {
		return UTF8, bom, nil
	}
	if forced != "" {
		return forced, 0, nil
	}
	truncated := t.size > int64(len(head))
	var extra []byte
	if truncated && isASCII(head) {
		extra = t.evidence(int64(len(head)))
	}
	enc, ferr := chooseEncoding(head, truncated, extra, format != CSV, t.opts.KnownHeader)
	return enc, 0, ferr
}

// evidence returns up to 64 KiB of the file from its first non-ASCII byte
// at or after off (looking at most evidenceScan bytes), nil if none.
func (t *text) evidence(off int64) []byte {
	buf := make([]byte, 64<<10)
	for end := min(t.size, off+evidenceScan); off < end; {
		n, err := t.file.ReadAt(buf[:min(int64(len(buf)), end-off)], off)
		for i, c := range buf[:n] {
			if c >= 0x80 {
				w := make([]byte, min(sampleSize, t.size-off-int64(i)))
				m, _ := t.file.ReadAt(w, off+int64(i))
				return w[:m]
			}
		}
		if err != nil || n == 0 {
			return nil
		}
		off += int64(n)
	}
	return nil
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// detectEncoding decides the encoding of a text file from head (its first
// bytes; truncated when the file goes on) and extra (a later window starting
// at the first non-ASCII byte, when head is all ASCII). It returns the
// length of a UTF-8 BOM to skip. jsonish selects where header names are
// looked for: in the first line (CSV) or anywhere in the first 8 KiB.
func detectEncoding(head []byte, truncated bool, extra []byte, jsonish bool, known func(string) bool) (Encoding, int, *FileError) {
	bom, ferr := precheck(head)
	if ferr != nil {
		return "", 0, ferr
	}
	if bom > 0 {
		return UTF8, bom, nil
	}
	enc, ferr := chooseEncoding(head, truncated, extra, jsonish, known)
	return enc, 0, ferr
}

// precheck finds a UTF-8 BOM (returning its length) and rejects UTF-16 and
// binary files.
func precheck(head []byte) (int, *FileError) {
	if bytes.HasPrefix(head, utf8BOM) {
		return len(utf8BOM), checkBinary(head[len(utf8BOM):])
	}
	if bytes.HasPrefix(head, []byte{0xFE, 0xFF}) || bytes.HasPrefix(head, []byte{0xFF, 0xFE}) {
		return 0, fileErrorf(msgUTF16)
	}
	return 0, checkBinary(head)
}

// chooseEncoding picks UTF-8, GBK or Big5 for a file without a BOM.
func chooseEncoding(head []byte, truncated bool, extra []byte, jsonish bool, known func(string) bool) (Encoding, *FileError) {
	evidence, evTruncated := head, truncated
	if extra != nil && isASCII(head) {
		evidence = extra
		evTruncated = true
	}
	if validUTF8Prefix(evidence, evTruncated) {
		return UTF8, nil
	}

	headerBytes := headerSample(head, jsonish)
	type cand struct {
		enc                     Encoding
		known, hdrBad, bad, odd int
	}
	var cands [2]cand
	for i, e := range []Encoding{GBK, Big5} {
		hdr := decodeSample(e, headerBytes, true)
		c := cand{enc: e, hdrBad: strings.Count(hdr, "\uFFFD")}
		if known != nil {
			for _, tok := range headerTokens(hdr) {
				if known(tok) {
					c.known++
				}
			}
		}
		ev := decodeSample(e, cutSample(evidence, evTruncated), !evTruncated)
		c.bad = strings.Count(ev, "\uFFFD")
		c.odd = oddness(ev)
		cands[i] = c
	}
	better := func(a, b cand) bool { // a strictly better than b
		switch {
		case a.known != b.known:
			return a.known > b.known
		case a.hdrBad != b.hdrBad:
			return a.hdrBad < b.hdrBad
		case a.bad != b.bad:
			return a.bad < b.bad
		}
		return a.odd < b.odd
	}
	best := cands[0]
	if better(cands[1], cands[0]) {
		best = cands[1]
	}
	clean := func(c cand) bool { return c.hdrBad == 0 && c.bad == 0 }
	if best.known == 0 && !clean(cands[0]) && !clean(cands[1]) {
		return "", fileErrorf(msgUnknown)
	}
	return best.enc, nil
}

// checkBinary rejects NUL bytes (UTF-16 or binary) and text with many
// control bytes.
func checkBinary(b []byte) *FileError {
	var nulEven, nulOdd, ctrl int
	for i, c := range b {
		switch {
		case c == 0:
			if i%2 == 0 {
				nulEven++
			} else {
				nulOdd++
			}
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1A, c == 0x7F:
			ctrl++
		}
	}
	if nulEven+nulOdd > 0 {
		// UTF-16 text has a NUL in (nearly) every other byte, all on one side.
		half := (len(b) + 1) / 2
		if half > 0 && (nulEven*10 >= half*3 && nulOdd*10 < half || nulOdd*10 >= half*3 && nulEven*10 < half) {
			return fileErrorf(msgUTF16)
		}
		return fileErrorf(msgBinary)
	}
	if ctrl*10 > len(b) || ctrl > 2 && ctrl*100 > len(b) {
		return fileErrorf(msgBinary)
	}
	return nil
}

// validUTF8Prefix reports whether b is valid UTF-8, allowing a rune cut at
// the end when the file goes on.
func validUTF8Prefix(b []byte, truncated bool) bool {
	if truncated {
		b = cutIncompleteRune(b)
	}
	return utf8.Valid(b)
}

func cutIncompleteRune(b []byte) []byte {
	for i := 1; i <= utf8.UTFMax && i <= len(b); i++ {
		c := b[len(b)-i]
		if c < 0x80 {
			return b
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return b[:len(b)-i]
			}
			return b
		}
	}
	return b
}

// cutSample ends a truncated sample at its last line break, so that no
// character is cut in two.
func cutSample(b []byte, truncated bool) []byte {
	if !truncated {
		return b
	}
	if i := bytes.LastIndexByte(b, '\n'); i > 0 {
		return b[:i+1]
	}
	return b
}

// headerSample is where header names are: the first non-blank line of a CSV
// or the first 8 KiB of JSON.
func headerSample(head []byte, jsonish bool) []byte {
	if jsonish {
		return cutSample(head[:min(len(head), 8<<10)], len(head) > 8<<10)
	}
	b := head
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		line := b
		if i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if len(bytes.TrimSpace(line)) > 0 {
			return line
		}
	}
	return nil
}

// headerTokens splits a decoded header sample into candidate names.
func headerTokens(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool {
		return strings.ContainsRune(",;\t\"{}[]:\r\n", r)
	}) {
		if f = trimCell(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// decodeSample decodes b with e; when atEOF is false an incomplete
// character at the end is left out instead of becoming U+FFFD.
func decodeSample(e Encoding, b []byte, atEOF bool) string {
	d := decoderOf(e)
	dst := make([]byte, 3*len(b)+16)
	n, _, _ := d.Transform(dst, b, atEOF)
	return string(dst[:n])
}

// oddness counts characters that seldom occur in Chinese business text but
// come out when GBK is read as Big5 or the reverse: kana, Greek, Cyrillic,
// accented Latin, box drawing, private use, compatibility ideographs, rare
// CJK extensions and Hangul.
func oddness(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r >= 0x00C0 && r <= 0x02FF, // accented Latin (GBK pinyin row)
			r >= 0x0370 && r <= 0x04FF, // Greek, Cyrillic
			r >= 0x2500 && r <= 0x257F, // box drawing
			r >= 0x3040 && r <= 0x30FF, // kana
			r >= 0x3100 && r <= 0x312F, // bopomofo
			r >= 0x3400 && r <= 0x4DBF, // CJK extension A
			r >= 0xAC00 && r <= 0xD7AF, // Hangul
			r >= 0xE000 && r <= 0xF8FF, // private use
			r >= 0xF900 && r <= 0xFAFF, // compatibility ideographs
			r >= 0xFF61 && r <= 0xFF9F, // half-width katakana
			r >= 0x10000:
			n++
		}
	}
	return n
}
