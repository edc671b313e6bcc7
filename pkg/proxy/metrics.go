package proxy

import (
	"net/http"
	"sync"

	"github.com/llmcost/llmcost/pkg/ledger"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the proxy's Prometheus series, on their own registry (no
// global state, so tests each get a fresh set).
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	tokens   *prometheus.CounterVec
	cost     *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	ttft     *prometheus.HistogramVec
	inflight prometheus.Gauge
	children sync.Map // seriesKey → *series: the label lookups, done once per label set
}

type seriesKey struct{ backend, status, api string }

// series are the children of one (backend, status, api).
type series struct {
	requests, input, output, cost prometheus.Counter
	latency, ttft                 prometheus.Observer
}

func (m *Metrics) series(k seriesKey) *series {
	if s, ok := m.children.Load(k); ok {
		return s.(*series)
	}
	s := &series{
		requests: m.requests.WithLabelValues(k.backend, k.status, k.api),
		input:    m.tokens.WithLabelValues(k.backend, k.status, "input"),
		output:   m.tokens.WithLabelValues(k.backend, k.status, "output"),
		cost:     m.cost.WithLabelValues(k.backend, k.status),
		latency:  m.latency.WithLabelValues(k.backend, k.status),
		ttft:     m.ttft.WithLabelValues(k.backend),
	}
	got, _ := m.children.LoadOrStore(k, s)
	return got.(*series)
}

// latencyBuckets span a cached local answer to a long cloud generation.
var latencyBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300}

// NewMetrics registers the series. shadowSkipped, when set, is read at
// scrape time for llmcost_proxy_shadow_skipped_total.
func NewMetrics(shadowSkipped func() float64) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "llmcost_proxy_requests_total",
		Help: "Requests answered, by backend, ledger status and client wire."}, []string{"backend", "status", "api"})
	m.tokens = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "llmcost_proxy_tokens_total",
		Help: "Tokens as the servers reported them, by backend, status and direction."}, []string{"backend", "status", "direction"})
	m.cost = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "llmcost_proxy_cost_usd_total",
		Help: "Measured cost in US dollars (known costs only), by backend and status."}, []string{"backend", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "llmcost_proxy_request_duration_seconds",
		Help: "Upstream latency, request start to last byte, by backend and status.", Buckets: latencyBuckets}, []string{"backend", "status"})
	m.ttft = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "llmcost_proxy_ttft_seconds",
		Help: "Time to first token of streamed answers, by backend.", Buckets: latencyBuckets}, []string{"backend"})
	m.inflight = prometheus.NewGauge(prometheus.GaugeOpts{Name: "llmcost_proxy_in_flight_requests", Help: "Requests being answered now."})
	m.reg.MustRegister(m.requests, m.tokens, m.cost, m.latency, m.ttft, m.inflight,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if shadowSkipped != nil {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "llmcost_proxy_shadow_skipped_total",
			Help: "Shadow requests skipped because the shadow queue was full."}, shadowSkipped))
	}
	return m
}

// Register adds a collector (e.g. the shadow queue's counters).
func (m *Metrics) Register(c prometheus.Collector) error { return m.reg.Register(c) }

// Handler serves the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Observe counts one written record.
func (m *Metrics) Observe(api string, r *ledger.Record) {
	if m == nil {
		return
	}
	b := r.Backend
	if b == "" {
		b = "none"
	}
	s := m.series(seriesKey{b, r.Status, api})
	s.requests.Inc()
	if r.InputTokens != nil {
		s.input.Add(float64(*r.InputTokens))
	}
	if r.OutputTokens != nil {
		s.output.Add(float64(*r.OutputTokens))
	}
	if r.CostUSD != nil {
		f, _ := r.CostUSD.Float64()
		s.cost.Add(f)
	}
	if r.LatencyMs != nil {
		s.latency.Observe(*r.LatencyMs / 1000)
	}
	if r.TTFTMs != nil {
		s.ttft.Observe(*r.TTFTMs / 1000)
	}
}

func (m *Metrics) begin() {
	if m != nil {
		m.inflight.Inc()
	}
}

func (m *Metrics) end() {
	if m != nil {
		m.inflight.Dec()
	}
}
