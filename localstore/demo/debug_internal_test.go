package demo

import (
	"fmt"
	"testing"
	"time"
)

func TestDebugDump(t *testing.T) {
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	w := newWorld(Options{Scale: 1, Seed: 1, Now: now})
	ref := genReference(w)
	it := buildItinerary(w, ref)
	people := newPeople(w)
	for _, p := range people {
		simulateVehicles(w, it, ref, p)
	}
	fmt.Println("h0", w.date(w.h0), "today", w.date(w.today), "end", w.date(w.end))
	for _, tr := range it.trips {
		if tr.end < w.h0 || tr.start > w.end {
			continue
		}
		fmt.Printf("trip %-35s %s..%s %2dd winter=%v stops=%d\n", tr.title, w.date(tr.start), w.date(tr.end), tr.end-tr.start+1, tr.winter, len(tr.stops))
	}
	km := 0
	for d := w.h0; d <= w.today; d++ {
		km += it.rvKm[d]
	}
	fmt.Println("rv km in history", km)
	for _, p := range people {
		for _, v := range p.vehicles() {
			fmt.Printf("%s %s fills=%d odo %d..%d\n", p.first, v.name, len(v.fills), v.odo0, v.odo[len(v.odo)-1])
			for i, f := range v.fills {
				if i < 8 || i > len(v.fills)-3 {
					fmt.Printf("  %s odo=%d vol=%.2f price=%d total=%d cons=%.2f full=%v %s\n", w.date(f.day), f.odo, float64(f.volC)/100, f.mills, f.cents, f.cons, f.full, places[f.place].Label())
				}
			}
			for _, s := range v.services {
				fmt.Printf("  svc %s %-18s %s odo=%d cost=%d next=%d/%d %s\n", w.date(s.day), s.task, s.status, s.mileage, s.cost, s.nextDay, s.nextKm, s.provider)
			}
		}
	}
	n := 0
	for _, s := range it.stays {
		if s.start >= w.h0 && s.start <= w.today {
			n++
			if n < 40 {
				c := "-"
				if s.camp >= 0 {
					c = ref.camps[s.camp].name
				}
				fmt.Printf("stay %s %-22s %2d nights base=%d enroute=%v %s %s\n", w.date(s.start), places[s.place].Name, s.nights, s.base, s.enRoute, c, s.free)
			}
		}
	}
	fmt.Println("stays", n)
	for _, p := range people {
		ex := genExpenses(w, it, ref, p)
		fmt.Println(p.first, "expenses", len(ex), float64(len(ex))/float64(w.today-w.h0+1))
		for i, e := range ex {
			if i%25 == 0 {
				fmt.Printf("exp %s %-14s %8s %s\n", w.date(e.day), categories[e.cat].name, money(e.cents), e.desc)
			}
		}
		sums := make([]int64, nCategories)
		for _, e := range ex {
			sums[e.cat] += e.cents
		}
		for c := range sums {
			fmt.Printf("  %-14s %s\n", categories[c].name, usd(sums[c]))
		}
	}
}

func TestDebugChat(t *testing.T) {
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	w := newWorld(Options{Scale: 1, Seed: 1, Now: now})
	ref := genReference(w)
	it := buildItinerary(w, ref)
	people := newPeople(w)
	for _, p := range people {
		simulateVehicles(w, it, ref, p)
		ex := genExpenses(w, it, ref, p)
		n := w.today - w.h0 + 1
		p.spend = make([][]int64, nCategories)
		for c := range p.spend {
			p.spend[c] = make([]int64, n)
		}
		for _, e := range ex {
			p.spend[e.cat][e.day-w.h0] += e.cents
		}
		for c := range p.spend {
			for i := 1; i < n; i++ {
				p.spend[c][i] += p.spend[c][i-1]
			}
		}
		in := genIncome(w, it, p)
		for _, e := range in {
			if e.hustle >= 0 {
				p.hustleIncome = append(p.hustleIncome, e)
			}
		}
		ss := genChat(w, it, ref, p)
		for i, s := range ss {
			if i%9 != 0 {
				continue
			}
			fmt.Println("==", p.first, w.date(s.day), s.typ, places[s.place].Label())
			for _, t := range s.turns {
				fmt.Printf("  Q [%s] %s\n  A %s\n", t.intent, t.q, t.a)
			}
		}
	}
}
