// Package notify fans notifications out to the WebSocket clients of each
// user (/ws/notifications/{user_id}): maintenance due, budget over, sync
// finished or failed. A slow client never blocks a publisher: its buffer
// fills, it is dropped, and it reconnects.
package notify

import (
	"sync"
	"time"
)

// Notification is one message to a user (api.md: type, title, body, ts).
type Notification struct {
	Type  string    `json:"type"`
	Title string    `json:"title"`
	Body  string    `json:"body"`
	TS    time.Time `json:"ts"`
	Data  any       `json:"data,omitempty"`
}

// Hub holds the subscribers. The zero Hub is ready to use.
type Hub struct {
	mu   sync.Mutex // guards subs
	subs map[string]map[*Subscription]struct{}
}

// Subscription receives one user's notifications until Close.
type Subscription struct {
	C    <-chan Notification
	c    chan Notification
	hub  *Hub
	user string
	once sync.Once
}

// Subscribe registers a subscriber for user with a small buffer.
func (h *Hub) Subscribe(user string) *Subscription {
	s := &Subscription{c: make(chan Notification, 16), hub: h, user: user}
	s.C = s.c
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs == nil {
		h.subs = map[string]map[*Subscription]struct{}{}
	}
	if h.subs[user] == nil {
		h.subs[user] = map[*Subscription]struct{}{}
	}
	h.subs[user][s] = struct{}{}
	return s
}

// Close unsubscribes; the channel is closed once.
func (s *Subscription) Close() {
	s.once.Do(func() {
		s.hub.mu.Lock()
		delete(s.hub.subs[s.user], s)
		s.hub.mu.Unlock()
		close(s.c)
	})
}

// Publish sends n to every subscriber of user without blocking; a
// subscriber whose buffer is full is dropped. It returns how many got it.
func (h *Hub) Publish(user string, n Notification) int {
	h.mu.Lock()
	var slow []*Subscription
	sent := 0
	for s := range h.subs[user] {
		select {
		case s.c <- n:
			sent++
		default:
			slow = append(slow, s)
		}
	}
	h.mu.Unlock()
	for _, s := range slow {
		s.Close()
	}
	return sent
}

// Broadcast sends n to every subscriber (device-wide news such as a sync).
func (h *Hub) Broadcast(n Notification) {
	h.mu.Lock()
	users := make([]string, 0, len(h.subs))
	for u := range h.subs {
		users = append(users, u)
	}
	h.mu.Unlock()
	for _, u := range users {
		h.Publish(u, n)
	}
}

// Count is the number of subscribers of user.
func (h *Hub) Count(user string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs[user])
}
