package proxy

import "github.com/llmcost/llmcost/pkg/ledger"

// setClient records who asked and on which wire (ledger fields client, api).
func setClient(rec *ledger.Record, client, api string) { rec.Client, rec.API = client, api }
