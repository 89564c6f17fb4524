package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pam-rv/pamd/agent/api"
	"github.com/pam-rv/pamd/localstore"
)

// newMetrics builds the daemon's registry: the API's own collectors plus
// gauges read from the store and the sync runner at scrape time.
func (m *Main) newMetrics() *api.Metrics {
	mt := api.NewMetrics()
	mt.GaugeFunc("pamd_sync_pending_changes", "Local changes not yet pushed to central.", func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := m.Store.PendingChanges(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	})
	mt.GaugeFunc("pamd_sync_last_success_age_seconds", "Seconds since the last successful sync cycle (-1: never).", func() float64 {
		st := m.Sync.Status()
		if st.LastSuccess == nil {
			return -1
		}
		return time.Since(*st.LastSuccess).Seconds()
	})
	mt.GaugeFunc("pamd_sync_last_error", "1 when the last sync cycle failed, else 0.", func() float64 {
		if m.Sync.Status().LastError != "" {
			return 1
		}
		return 0
	})
	mt.GaugeFunc("pamd_sync_online", "1 when central was reachable at the last attempt.", func() float64 {
		if m.Sync.Status().Online {
			return 1
		}
		return 0
	})
	mt.CounterFunc("pamd_cache_hits_total", "Reads answered from the cache.", func() float64 { return float64(m.Store.Cache().Stats().Hits) })
	mt.CounterFunc("pamd_cache_misses_total", "Reads the cache could not answer.", func() float64 { return float64(m.Store.Cache().Stats().Misses) })
	mt.GaugeFunc("pamd_store_damaged", "1 when the last integrity check found the database damaged.", func() float64 {
		if m.Store.Integrity().Status == localstore.IntegrityDamaged {
			return 1
		}
		return 0
	})
	mt.Registry.MustRegister(jobCollector{m})
	return mt
}

// jobCollector reports each scheduled job's last run at scrape time.
type jobCollector struct{ m *Main }

var (
	jobLastRun = prometheus.NewDesc("pamd_job_last_run_timestamp_seconds", "When the job's last run started (Unix time).", []string{"job"}, nil)
	jobLastDur = prometheus.NewDesc("pamd_job_last_duration_seconds", "How long the job's last run took.", []string{"job"}, nil)
	jobLastOK  = prometheus.NewDesc("pamd_job_last_ok", "1 when the job's last run ended without an error, else 0.", []string{"job"}, nil)
)

func (c jobCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- jobLastRun
	ch <- jobLastDur
	ch <- jobLastOK
}

func (c jobCollector) Collect(ch chan<- prometheus.Metric) {
	if c.m.Jobs == nil {
		return
	}
	for _, st := range c.m.Jobs.Status() {
		if st.Last == nil {
			continue
		}
		ok := 0.0
		if st.OK {
			ok = 1
		}
		ch <- prometheus.MustNewConstMetric(jobLastRun, prometheus.GaugeValue, float64(st.Last.StartedAt.UnixMilli())/1e3, st.Name)
		ch <- prometheus.MustNewConstMetric(jobLastDur, prometheus.GaugeValue, st.Seconds, st.Name)
		ch <- prometheus.MustNewConstMetric(jobLastOK, prometheus.GaugeValue, ok, st.Name)
	}
}
