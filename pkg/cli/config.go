package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

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
// $XDG_CONFIG_HOME/llmcost/config.yaml (optional).
func loadConfig(f *Factory, explicit string) error {
	v := f.Config
	v.SetConfigType("yaml")
	if explicit != "" {
		v.SetConfigFile(explicit)
	} else {
		dir := f.Getenv("XDG_CONFIG_HOME")
		if dir == "" {
			home := f.Getenv("HOME")
			if home == "" {
				return nil
			}
			dir = filepath.Join(home, ".config")
		}
		v.SetConfigFile(filepath.Join(dir, "llmcost", "config.yaml"))
	}
	if err := v.ReadInConfig(); err != nil {
		var nf viper.ConfigFileNotFoundError
		if explicit == "" && (errors.As(err, &nf) || isNotExist(err)) {
			return nil
		}
		return &InputError{Err: fmt.Errorf("reading config %s: %w", v.ConfigFileUsed(), err)}
	}
	return nil
}

func isNotExist(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "no such file") || strings.Contains(err.Error(), "not found"))
}

// applyConfig gives every flag the user did not set its value from
// LLMCOST_<FLAG> or the config file: changed flag > env > file > default.
// Keys in the file are flag names, optionally under the command's name
// (`estimate: {kwh-price: 0.30}`).
func applyConfig(f *Factory, cmd *cobra.Command) error {
	v := f.Config
	var firstErr error
	cmd.Flags().VisitAll(func(fl *pflag.Flag) {
		if fl.Changed || firstErr != nil || fl.Name == "help" || fl.Name == "config" {
			return
		}
		env := "LLMCOST_" + strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(fl.Name))
		var val string
		var from string
		if e := f.Getenv(env); e != "" {
			val, from = e, env
		} else if key := cmd.Name() + "." + fl.Name; v.IsSet(key) {
			val, from = fmt.Sprint(v.Get(key)), "config "+key
		} else if v.IsSet(fl.Name) {
			val, from = fmt.Sprint(v.Get(fl.Name)), "config "+fl.Name
		} else {
			return
		}
		if sv, ok := fl.Value.(pflag.SliceValue); ok {
			parts := strings.Split(strings.Trim(val, "[]"), ",")
			if strings.Contains(val, " ") && !strings.Contains(val, ",") {
				parts = strings.Fields(strings.Trim(val, "[]"))
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
