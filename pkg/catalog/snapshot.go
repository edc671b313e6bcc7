package catalog

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"io"
)

// The embedded catalog is also stored as a gob snapshot of its parsed
// files, made by `go generate ./data`. Parsing ~2,000 lines of YAML costs
// ~15 ms; decoding the snapshot costs a fraction of that, and start-up
// time is what every `llmcost estimate` pays. The YAML stays the source
// of truth: TestSnapshotFresh fails when the two disagree.

type snapshot struct {
	Version int
	Files   []snapshotFile
}

type snapshotFile struct {
	Name string
	File File
}

const snapshotVersion = 1

// WriteSnapshot parses every YAML file of src strictly and writes the
// snapshot. It fails on any issue, so a snapshot is always of valid YAML.
func WriteSnapshot(w io.Writer, src Source) error {
	src.Snapshot = nil
	files, err := readSource(src)
	if err != nil {
		return err
	}
	var is issues
	for _, pf := range files {
		validateFile(&is, pf)
	}
	checkDuplicatesWithin(&is, files)
	if err := is.err(); err != nil {
		return err
	}
	s := snapshot{Version: snapshotVersion}
	for _, pf := range files {
		s.Files = append(s.Files, snapshotFile{Name: pf.name, File: pf.f})
	}
	return gob.NewEncoder(w).Encode(s)
}

func readSnapshot(data []byte) ([]parsedFile, error) {
	var s snapshot
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&s); err != nil {
		return nil, fmt.Errorf("embedded catalog snapshot is unreadable (run `go generate ./data`): %w", err)
	}
	if s.Version != snapshotVersion {
		return nil, fmt.Errorf("embedded catalog snapshot has version %d, want %d (run `go generate ./data`)", s.Version, snapshotVersion)
	}
	out := make([]parsedFile, len(s.Files))
	for i, f := range s.Files {
		out[i] = parsedFile{name: f.Name, f: f.File}
	}
	return out, nil
}

// ParseYAML reads every file of src as YAML, ignoring any snapshot
// (tests compare the two).
func ParseYAML(src Source) ([]File, []string, error) {
	src.Snapshot = nil
	files, err := readSource(src)
	if err != nil {
		return nil, nil, err
	}
	var out []File
	var names []string
	for _, pf := range files {
		out = append(out, pf.f)
		names = append(names, pf.name)
	}
	return out, names, nil
}

// ParseSnapshot decodes a snapshot (tests compare it with the YAML).
func ParseSnapshot(data []byte) ([]File, []string, error) {
	files, err := readSnapshot(data)
	if err != nil {
		return nil, nil, err
	}
	var out []File
	var names []string
	for _, pf := range files {
		out = append(out, pf.f)
		names = append(names, pf.name)
	}
	return out, names, nil
}
