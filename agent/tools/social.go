package tools

import (
	"cmp"
	"context"
	"fmt"

	"github.com/pam-rv/pamd/schema"
)

// DefaultGroupSuggestions is how many groups suggest_groups answers by default.
const DefaultGroupSuggestions = 5

type postArgs struct {
	Content string `json:"content" schema:"required,minLength=1,maxLength=5000" desc:"the text of the post"`
	GroupID UUID   `json:"group_id,omitempty" desc:"post into this group; by default the post goes to the feed"`
}

type suggestGroupsArgs struct {
	Limit int `json:"limit,omitempty" schema:"min=1,max=50,default=5" desc:"how many groups to suggest"`
}

func registerSocial(r *Registry) {
	s := &social{s: r.store}
	register(r, "post_update", CategorySocial,
		"Post an update to the feed, or into a group when group_id is given.",
		true, false, s.post)
	register(r, "suggest_groups", CategorySocial,
		"Suggest community groups by member count, largest first, leaving out inactive groups and groups the user is already an active member of.",
		false, false, s.suggest)
}

type social struct{ s Store }

// postCreated is post_update's answer.
type postCreated struct {
	Post      schema.Row `json:"post"`
	Placement string     `json:"placement"` // feed or group
	Group     *GroupRef  `json:"group,omitempty"`
}

// GroupRef describes a community group.
type GroupRef struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Description   string `json:"description,omitempty"`
	Location      string `json:"location,omitempty"`
	Privacy       string `json:"privacy,omitempty"`
	ActivityLevel string `json:"activity_level,omitempty"`
	MemberCount   int64  `json:"member_count"`
}

func groupRef(r schema.Row) GroupRef {
	n, _ := r.Number("member_count")
	return GroupRef{ID: r.Text("id"), Name: r.Text("name"), Description: r.Text("description"),
		Location: r.Text("location"), Privacy: r.Text("privacy"), ActivityLevel: r.Text("activity_level"), MemberCount: int64(n)}
}

func (s *social) post(ctx context.Context, c Call, a postArgs) (any, error) {
	row := schema.Row{"content": a.Content, "location": "feed"}
	out := postCreated{Placement: "feed"}
	if a.GroupID != "" {
		id, _ := schema.ParseUUID(string(a.GroupID))
		g, err := s.s.Get(ctx, c.User, "social_groups", id)
		if err != nil {
			if schema.ErrorCode(err) == schema.ENOTFOUND {
				return nil, &schema.Error{Code: schema.ENOTFOUND, Message: fmt.Sprintf("no social group %s", id),
					Fields: []schema.FieldError{{Field: "group_id", Reason: "unknown group"}}}
			}
			return nil, err
		}
		ref := groupRef(g)
		out.Group, out.Placement = &ref, "group"
		row["group_id"], row["location"] = id, "group"
	}
	created, err := s.s.Create(ctx, c.User, "social_posts", row)
	if err != nil {
		return nil, err
	}
	out.Post = created
	return out, nil
}

// groupSuggestions is suggest_groups' answer.
type groupSuggestions struct {
	Groups []GroupRef `json:"groups"`
	// ExcludedMemberOf counts the user's active memberships left out.
	ExcludedMemberOf int    `json:"excluded_member_of"`
	Basis            string `json:"basis"`
}

func (s *social) suggest(ctx context.Context, c Call, a suggestGroupsArgs) (any, error) {
	limit := cmp.Or(a.Limit, DefaultGroupSuggestions)
	member := map[string]bool{}
	err := s.s.Each(ctx, c.User, "group_memberships", schema.Query{Conditions: []schema.Condition{eq("user_id", c.User)}}, func(r schema.Row) error {
		if active, ok := r["is_active"].(bool); !ok || active {
			member[r.Text("group_id")] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := groupSuggestions{Groups: []GroupRef{}, ExcludedMemberOf: len(member),
		Basis: "groups by member count, largest first; inactive groups and groups you are an active member of are left out"}
	q := schema.Query{Order: []schema.Order{{Column: "member_count", Desc: true}, {Column: "name"}, {Column: "id"}}}
	err = s.s.Each(ctx, c.User, "social_groups", q, func(r schema.Row) error {
		if member[r.Text("id")] {
			return nil
		}
		if active, ok := r["is_active"].(bool); ok && !active {
			return nil
		}
		out.Groups = append(out.Groups, groupRef(r))
		if len(out.Groups) == limit {
			return errStop
		}
		return nil
	})
	if err != nil && err != errStop {
		return nil, err
	}
	return out, nil
}
