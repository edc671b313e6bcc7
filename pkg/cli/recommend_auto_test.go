package cli

import (
	"strings"
	"testing"
)

// --gpu auto narrows recommend to the detected GPUs and prices them as
// owned (their purchase is sunk), as decide's --have-gpu auto does.
func TestRecommendGPUAuto(t *testing.T) {
	base := []string{"recommend", "--tokens", "300M", "--privacy", "regulated", "--format", "json"}
	out, errOut, code := runOn(t, twoRTX4090, append(base, "--gpu", "auto")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct {
		Options []struct {
			Kind       string  `json:"kind"`
			GPU        string  `json:"gpu"`
			Mode       string  `json:"mode"`
			UpfrontUSD float64 `json:"upfront_usd"`
		} `json:"options"`
		Notes []string `json:"notes"`
	}
	mustJSON(t, out, &res)
	if len(res.Notes) == 0 || !strings.HasPrefix(res.Notes[0], "--gpu auto: detected 2x NVIDIA GeForce RTX 4090 -> rtx-4090x2") {
		t.Errorf("notes %q", res.Notes)
	}
	if len(res.Options) == 0 {
		t.Fatal("no options")
	}
	owned := 0
	for _, o := range res.Options {
		if o.Kind != "local" || o.GPU != "rtx-4090" {
			t.Errorf("option on %q (%s): want only the detected rtx-4090", o.GPU, o.Kind)
		}
		if o.Mode == "sunk" && o.UpfrontUSD == 0 {
			owned++
		}
	}
	if owned == 0 {
		t.Errorf("no option priced on the detected (owned, sunk) GPUs: %s", out)
	}
	_, errOut, code = runOn(t, cpuOnly, append(base, "--gpu", "auto")...)
	if code != ExitBadInput || !strings.Contains(errOut, "--gpu auto") {
		t.Errorf("cpu only: exit %d: %s", code, errOut)
	}
}
