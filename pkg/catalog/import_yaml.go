package catalog

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"go.yaml.in/yaml/v3"
)

// MarshalFileYAML renders a catalog file as YAML that strict decoding
// (KnownFields) reads back to the same values. header, if not empty, is
// written first as comment lines.
func MarshalFileYAML(f File, header ...string) ([]byte, error) {
	var buf bytes.Buffer
	for _, h := range header {
		fmt.Fprintf(&buf, "# %s\n", h)
	}
	var root yaml.Node
	if err := root.Encode(f); err != nil {
		return nil, fmt.Errorf("encoding catalog YAML: %w", err)
	}
	plainScalars(&root)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&root); err != nil {
		return nil, fmt.Errorf("encoding catalog YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encoding catalog YAML: %w", err)
	}
	return buf.Bytes(), nil
}

// DecodeFileStrict decodes one catalog YAML document, rejecting unknown
// keys, so writers can check their output reads back.
func DecodeFileStrict(data []byte) (File, error) {
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return File{}, err
	}
	return f, nil
}

// WriteFileAtomic writes data to path through a temporary file in the same
// directory and a rename, so a reader never sees half a file and a failed
// write leaves the old file in place.
func WriteFileAtomic(path string, data []byte) (err error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("cannot write %s: %w", path, syscall.EISDIR)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// plainScalars drops the explicit tags Num and Date put on their scalars
// (`!!float 200000`, `"2026-07-24"`) where the plain form reads back the
// same, so the file looks hand-written. Decoding goes through the types'
// own UnmarshalYAML, which reads the text, not the tag.
func plainScalars(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && (n.Style == 0 || n.Style == yaml.TaggedStyle || n.Style == yaml.DoubleQuotedStyle) {
		switch n.Tag {
		case "!!float":
			if !strings.ContainsAny(n.Value, ".eE") {
				n.Tag, n.Style = "!!int", 0
			}
		case "!!str":
			if _, err := time.Parse(time.DateOnly, n.Value); err == nil {
				n.Tag, n.Style = "!!timestamp", 0
			}
		}
	}
	for _, c := range n.Content {
		plainScalars(c)
	}
}
