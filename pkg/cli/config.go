package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

func newViper() *viper.Viper {
	v := viper.New()
	v.SetEnvPrefix("LLMCOST")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_", ".", "_"))
	return v
}

// loadConfig reads the config file: --config (must exist) or
// $XDG_CONFIG_HOME/llmcost/config.yaml (optional). It reports whether a
// file was read: viper names the file it was told to try even when that
// file does not exist.
func loadConfig(f *Factory, explicit string) (bool, error) {
	v := f.Config
	v.SetConfigType("yaml")
	if explicit != "" {
		v.SetConfigFile(explicit)
	} else {
		dir := f.Getenv("XDG_CONFIG_HOME")
		if dir == "" {
			home := f.Getenv("HOME")
			if home == "" {
				return false, nil
			}
			dir = filepath.Join(home, ".config")
		}
		v.SetConfigFile(filepath.Join(dir, "llmcost", "config.yaml"))
	}
	if err := v.ReadInConfig(); err != nil {
		var nf viper.ConfigFileNotFoundError
		if explicit == "" && (errors.As(err, &nf) || isNotExist(err)) {
			return false, nil
		}
		return false, &InputError{Err: fmt.Errorf("reading config %s: %w", v.ConfigFileUsed(), err)}
	}
	return true, nil
}

func isNotExist(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "no such file") || strings.Contains(err.Error(), "not found"))
}

// envName turns a flag name into the rest of its LLMCOST_ variable.
var envName = strings.NewReplacer("-", "_", ".", "_")

// applyConfig gives every flag the user did not set its value from
// LLMCOST_<FLAG> or the config file: changed flag > env > file > default.
// Keys in the file are flag names, optionally under the command's name
// (`estimate: {kwh-price: 0.30}`).
func applyConfig(f *Factory, cmd *cobra.Command, fromFile bool) error {
	v := f.Config
	var firstErr error
	cmd.Flags().VisitAll(func(fl *pflag.Flag) {
		if fl.Changed || firstErr != nil || fl.Name == "help" || fl.Name == "config" {
			return
		}
		env := "LLMCOST_" + strings.ToUpper(envName.Replace(fl.Name))
		var val string
		var from string
		if e := f.Getenv(env); e != "" {
			val, from = e, env
		} else if !fromFile {
			return // no config file: nothing to look up in it
		} else if key := cmd.Name() + "." + fl.Name; v.IsSet(key) {
			val, from = configValue(v.Get(key)), v.ConfigFileUsed()+": "+key
		} else if v.IsSet(fl.Name) {
			val, from = configValue(v.Get(fl.Name)), v.ConfigFileUsed()+": "+fl.Name
		} else {
			return
		}
		if f.valueSources == nil {
			f.valueSources = map[string]string{}
		}
		f.valueSources[fl.Name] = from
		if sv, ok := fl.Value.(pflag.SliceValue); ok {
			parts := strings.Split(strings.Trim(val, "[]"), ",")
			for i := range parts {
				parts[i] = strings.TrimSpace(parts[i])
			}
			if err := sv.Replace(parts); err != nil {
				firstErr = &FlagError{Err: fmt.Errorf("invalid value %q for --%s (from %s): %v", val, fl.Name, from, err)}
			}
			return
		}
		if err := fl.Value.Set(val); err != nil {
			firstErr = &FlagError{Err: fmt.Errorf("invalid value %q for --%s (from %s): %v", val, fl.Name, from, err)}
		}
	})
	return firstErr
}

// configValue renders a config value as flag text; lists become a
// comma-separated list.
func configValue(v any) string {
	if list, ok := v.([]any); ok {
		parts := make([]string, len(list))
		for i, e := range list {
			parts[i] = fmt.Sprint(e)
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v)
}

// checkConfigKeys rejects keys the config file may not have: every key is
// a flag name, at the top level or in a section named after a command. A
// misspelt key would otherwise be silently ignored.
func checkConfigKeys(f *Factory, root *cobra.Command) error {
	v := f.Config
	allFlags := map[string]bool{}
	byCommand := map[string]map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		names := byCommand[c.Name()]
		if names == nil {
			names = map[string]bool{}
			byCommand[c.Name()] = names
		}
		for _, fs := range []*pflag.FlagSet{c.Flags(), c.PersistentFlags(), c.InheritedFlags()} {
			fs.VisitAll(func(fl *pflag.Flag) {
				names[fl.Name] = true
				allFlags[fl.Name] = true
			})
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	var bad []string
	for key, val := range v.AllSettings() {
		if section, ok := val.(map[string]any); ok && byCommand[key] != nil {
			for sub := range section {
				if !byCommand[key][sub] {
					bad = append(bad, fmt.Sprintf("%s.%s%s", key, sub, didYouMean(sub, byCommand[key])))
				}
			}
			continue
		}
		switch {
		case byCommand[key] != nil && !allFlags[key]:
			bad = append(bad, key+" (a command's section: put flag: value lines under it)")
		case !allFlags[key]:
			bad = append(bad, key+didYouMean(key, allFlags))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	return &InputError{Err: fmt.Errorf("config %s: unknown key(s) %s (keys are flag names, at the top level or under a command name)", v.ConfigFileUsed(), strings.Join(bad, ", "))}
}

func didYouMean(key string, known map[string]bool) string {
	norm := strings.NewReplacer("_", "-", ".", "-").Replace(strings.ToLower(key))
	if known[norm] {
		return fmt.Sprintf(" (did you mean %s?)", norm)
	}
	// The closest known key, in a fixed order so the message is the same
	// every run: a prefix, a transposition, or one or two edits away.
	names := make([]string, 0, len(known))
	for k := range known {
		names = append(names, k)
	}
	sort.Strings(names)
	best, bestDist := "", 3
	for _, k := range names {
		d := catalog.EditDistance(norm, k)
		if len(k) > 3 && (strings.HasPrefix(norm, k) || strings.HasPrefix(k, norm) || sameLetters(k, norm)) {
			d = min(d, 1)
		}
		if d < bestDist && d < len(k)/2 {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

// sameLetters catches transpositions such as "modles" for "models".
func sameLetters(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	ra, rb := []rune(a), []rune(b)
	sort.Slice(ra, func(i, j int) bool { return ra[i] < ra[j] })
	sort.Slice(rb, func(i, j int) bool { return rb[i] < rb[j] })
	return string(ra) == string(rb)
}
