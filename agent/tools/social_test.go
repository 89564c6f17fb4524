package tools_test

import (
	"testing"

	"github.com/pam-rv/pamd/schema"
)

func TestSocial(t *testing.T) {
	f := newFixture(t)
	g := map[string]schema.Row{}
	for _, x := range []struct {
		user, name string
		members    int64
		active     bool
	}{
		{alex, "Boondockers", 120, true}, {alex, "Solar Nerds", 80, true}, {sam, "Dog Lovers", 200, true},
		{alex, "Ghost Town", 500, false}, {alex, "Quilters", 10, true}, {sam, "Fishing", 60, true}, {alex, "Cooks", 40, true},
	} {
		g[x.name] = f.create(x.user, "social_groups", schema.Row{"name": x.name, "member_count": x.members, "is_active": x.active})
	}
	f.create(sam, "group_memberships", schema.Row{"group_id": g["Dog Lovers"]["id"], "is_active": true})
	f.create(sam, "group_memberships", schema.Row{"group_id": g["Solar Nerds"]["id"], "is_active": false}) // left: suggested again

	t.Run("suggest_groups", func(t *testing.T) {
		// Largest first: Ghost Town (inactive) and Dog Lovers (member) are left out.
		a := f.run(sam, "suggest_groups", `{}`)
		var names []string
		for _, x := range get(t, a, "groups").([]any) {
			names = append(names, x.(map[string]any)["name"].(string))
		}
		sameIDs(t, names, "Boondockers", "Solar Nerds", "Fishing", "Cooks", "Quilters")
		want(t, a, 120, "groups", 0, "member_count")
		want(t, a, 1, "excluded_member_of")
		a = f.run(sam, "suggest_groups", `{"limit": 2}`)
		want(t, a, "Solar Nerds", "groups", 1, "name")
		// Alex is a member of nothing: Ghost Town is still out (inactive).
		want(t, f.run(alex, "suggest_groups", `{"limit": 1}`), "Dog Lovers", "groups", 0, "name")
		f.fail(sam, "suggest_groups", `{"limit": 0}`, schema.EUNPROCESSABLE)
	})
	t.Run("post_update", func(t *testing.T) {
		a := f.run(sam, "post_update", `{"content": "Sunset at the lake"}`)
		want(t, a, "feed", "placement")
		want(t, a, "feed", "post", "location")
		want(t, a, nil, "post", "group_id")
		a = f.run(sam, "post_update", `{"content": "Who's near Quartzsite?", "group_id": "`+g["Boondockers"]["id"].(string)+`", "user_id": "`+alex+`"}`)
		want(t, a, "group", "placement")
		want(t, a, "group", "post", "location")
		want(t, a, g["Boondockers"]["id"], "post", "group_id")
		want(t, a, "Boondockers", "group", "name")
		if n := len(f.rows(sam, "social_posts")); n != 2 {
			t.Fatalf("Sam has %d posts, want 2", n)
		}
		if n := len(f.rows(alex, "social_posts")); n != 0 {
			t.Fatalf("Alex has %d posts, want 0 (user_id is ignored)", n)
		}
		f.fail(sam, "post_update", `{"content": "x", "group_id": "0190b000-0000-7000-8000-0000000000ff"}`, schema.ENOTFOUND)
		f.fail(sam, "post_update", `{"content": ""}`, schema.EUNPROCESSABLE)
	})
}
