package api

import (
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is the daemon's Prometheus registry and the collectors the API
// feeds itself: requests and their latency by route, assistant replies by
// provider. cmd builds it, adds the collectors of the other components
// (GaugeFunc, CounterFunc) and passes it in; nothing registers globally.
type Metrics struct {
	Registry *prometheus.Registry

	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	replies  *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	failures prometheus.Counter
}

// NewMetrics returns a registry with the Go runtime and process collectors
// and the API's own.
func NewMetrics() *Metrics {
	m := &Metrics{Registry: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pamd_http_requests_total", Help: "HTTP requests answered, by route pattern and status code.",
	}, []string{"route", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "pamd_http_request_duration_seconds", Help: "Time to answer an HTTP request, by route pattern.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
	}, []string{"route"})
	m.replies = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pamd_chat_replies_total", Help: "Assistant replies, by the provider that answered (openai, ollama, offline).",
	}, []string{"provider"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "pamd_chat_reply_seconds", Help: "Time to a whole assistant reply, by provider.",
		Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"provider"})
	m.failures = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "pamd_chat_failures_total", Help: "Assistant turns that ended in an error.",
	})
	m.Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.duration, m.replies, m.latency, m.failures,
	)
	return m
}

// GaugeFunc registers a gauge read when /metrics is scraped.
func (m *Metrics) GaugeFunc(name, help string, f func() float64) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f))
}

// CounterFunc registers a counter read when /metrics is scraped (f must
// never go down).
func (m *Metrics) CounterFunc(name, help string, f func() float64) {
	m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, f))
}

// reply records one assistant turn.
func (m *Metrics) reply(provider string, took time.Duration, err error) {
	if m == nil {
		return
	}
	if err != nil {
		m.failures.Inc()
		return
	}
	if provider == "" {
		provider = "unknown"
	}
	m.replies.WithLabelValues(provider).Inc()
	m.latency.WithLabelValues(provider).Observe(took.Seconds())
}

// withMetrics counts and times every request by the pattern the mux
// matched (never the raw path: ids would make the series unbounded).
func (s *Server) withMetrics(next http.Handler) http.Handler {
	if s.Metrics == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		route := r.Pattern
		if route == "" || route == "/" {
			route = "other"
		}
		s.Metrics.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		s.Metrics.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

// handleMetrics serves the Prometheus text format: to loopback clients
// as they are (a scraper on the RV computer), to others only with a valid
// token, since the figures tell how the travellers use the device.
func (s *Server) handleMetrics() http.Handler {
	h := promhttp.HandlerFor(s.Metrics.Registry, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopback(r.RemoteAddr) {
			if _, err := s.authenticate(r); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

func loopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
