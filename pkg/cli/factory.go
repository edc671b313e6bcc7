package cli

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"
	"github.com/llmcost/llmcost/data"
	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/hwdetect"
	"github.com/llmcost/llmcost/pkg/iostreams"
	"github.com/llmcost/llmcost/pkg/output"
	"github.com/spf13/viper"
)

// Factory hands commands everything external. Nothing below it touches
// os.Stdout, time.Now, os.Getenv or http.DefaultClient.
type Factory struct {
	IOStreams *iostreams.IOStreams
	Now       func() time.Time
	Getenv    func(string) string
	Config    *viper.Viper

	// HTTPClient is used by route's backends; lazily built.
	HTTPClient func() *http.Client

	// RunForm runs an interactive form (huh). huh needs the real terminal:
	// bubbletea puts its input in raw mode only when it is an *os.File, so
	// the form gets IOStreams.In/Out, which are os.Stdin/os.Stdout in
	// production. Tests replace the hook or drive the binary through a pty.
	RunForm func(form *huh.Form, accessible bool) error

	// Hardware is the detector behind `llmcost hardware` and --gpu auto;
	// tests replace it with recorded outputs (hwdetect.FakeRunner).
	Hardware func() hwdetect.Detector
	hardware *autoHardware // detected once per run

	// runCtx is Run's context (cancelled by Ctrl-C), for work started
	// below the commands' RunE, such as hardware detection.
	runCtx context.Context

	// Set from persistent flags before a command runs.
	CatalogDirs []string
	FormatFlag  string
	NoInput     bool

	// valueSources says where flags the user did not type got their value
	// (an environment variable or the config file), for error messages.
	valueSources map[string]string

	catalogOnce sync.Once
	catalog     *catalog.Catalog
	catalogErr  error
	// EmbeddedCatalog can be replaced in tests.
	EmbeddedCatalog catalog.Source
}

// NewFactory builds the production factory.
func NewFactory(ios *iostreams.IOStreams, getenv func(string) string) *Factory {
	f := &Factory{
		IOStreams:       ios,
		Now:             time.Now,
		Getenv:          getenv,
		Config:          newViper(),
		EmbeddedCatalog: catalog.Source{FS: data.FS, Origin: "data", Parsed: data.Parsed},
		Hardware:        hwdetect.Local,
	}
	f.RunForm = func(form *huh.Form, accessible bool) error {
		if !accessible {
			// Ask the terminal for its background now, before bubbletea
			// takes over its input and would swallow the answer: the
			// query bubbletea's init used to make for every command
			// (internal/earlyenv), made only where a form needs it.
			_ = lipgloss.HasDarkBackground()
		}
		return form.WithInput(ios.In).WithOutput(ios.Out).WithAccessible(accessible).Run()
	}
	f.HTTPClient = func() *http.Client {
		return &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	return f
}

// Catalog loads the embedded catalog merged with every --catalog dir, once.
func (f *Factory) Catalog() (*catalog.Catalog, error) {
	f.catalogOnce.Do(func() {
		sources := []catalog.Source{f.EmbeddedCatalog}
		for _, d := range f.CatalogDirs {
			src, err := catalog.Dir(d)
			if err != nil {
				f.catalogErr = err
				return
			}
			sources = append(sources, src)
		}
		f.catalog, f.catalogErr = catalog.Load(sources...)
	})
	return f.catalog, f.catalogErr
}

// Format returns the validated --format value.
func (f *Factory) Format() (output.Format, error) {
	fm, err := output.ParseFormat(f.FormatFlag)
	if err != nil {
		return "", &FlagError{Err: err}
	}
	return fm, nil
}

// Today is the factory clock's date, at midnight UTC.
func (f *Factory) Today() time.Time {
	return f.Now().UTC().Truncate(24 * time.Hour)
}
