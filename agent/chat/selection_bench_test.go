package chat_test

import (
	"testing"

	"github.com/pam-rv/pamd/agent/chat"
)

// BenchmarkToolSelection reports the recall of the offered list on the
// HELD-BACK part of testdata/toolselect.json (the selection was tuned on
// the tune part only): for a cloud model (every tool), a local model
// whose short list is ranked by the in-test embedding model, and a local
// model with keywords alone (no embedding model). recall_fresh_% and
// recall_fresh2_% are the same on the two later probes, which were blind
// once and are not any more (see their "about"); recall_fresh3_% is on
// toolselect_fresh3.json, written after the last change to the selector.
// An operation is one turn on a held-back request.
func BenchmarkToolSelection(b *testing.B) {
	held := evalPart(b, partHeld)
	fresh := loadEvalFile(b, freshFile)
	fresh2 := loadEvalFile(b, fresh2File)
	fresh3 := loadEvalFile(b, fresh3File)
	for _, mode := range []struct{ name, metric string }{
		{"cloud", "recall_cloud_%"},
		{"local_embeddings", "recall_local_%"},
		{"local_keywords", "recall_local_keywords_%"},
	} {
		b.Run(mode.name, func(b *testing.B) {
			m := &scripted{window: localWindow}
			if mode.name == "cloud" {
				m.window = cloudWindow
			}
			svc, _ := newService(b, m)
			svc.Knowledge = nil
			if mode.name == "local_embeddings" {
				svc.Embedder, _ = newEmbedder(b)
			}
			offer := offerer(b, svc, m)
			most := 0
			pct, _ := recall(held, func(msg string) []string {
				names := offer(msg)
				most = max(most, len(names))
				return names
			})
			freshPct, _ := recall(fresh, offer)
			fresh2Pct, _ := recall(fresh2, offer)
			fresh3Pct, _ := recall(fresh3, offer)
			if mode.name != "cloud" && most > chat.MaxToolsOffered {
				b.Fatalf("offered %d tools", most)
			}
			for i := 0; b.Loop(); i++ {
				offer(held[i%len(held)].Text)
			}
			b.ReportMetric(pct, mode.metric)
			b.ReportMetric(freshPct, "recall_fresh_%")
			b.ReportMetric(fresh2Pct, "recall_fresh2_%")
			b.ReportMetric(fresh3Pct, "recall_fresh3_%")
			b.ReportMetric(float64(most), "max_tools")
		})
	}
}
