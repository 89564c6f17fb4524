package tools

import (
	"context"
	"strings"

	"github.com/pam-rv/pamd/schema"
)

type feedbackArgs struct {
	MessageID string `json:"message_id" schema:"required,minLength=1,maxLength=200" desc:"the assistant message the feedback is about"`
	ThumbsUp  *bool  `json:"thumbs_up" schema:"required" desc:"true for thumbs up, false for thumbs down"`
	Rating    *int   `json:"rating,omitempty" schema:"min=1,max=5" desc:"optional rating from 1 to 5"`
	Feedback  string `json:"feedback,omitempty" schema:"maxLength=2000" desc:"optional comment"`
}

func registerFeedback(r *Registry) {
	register(r, "record_user_feedback", CategoryFeedback,
		"Record the user's thumbs up or down on an assistant message, with an optional 1–5 rating and comment.",
		true, false, func(ctx context.Context, c Call, a feedbackArgs) (any, error) {
			row := schema.Row{"message_id": strings.TrimSpace(a.MessageID), "thumbs_up": *a.ThumbsUp}
			if a.Rating != nil {
				row["rating"] = int64(*a.Rating)
			}
			if s := strings.TrimSpace(a.Feedback); s != "" {
				row["feedback"] = s
			}
			created, err := r.store.Create(ctx, c.User, "pam_feedback", row)
			if err != nil {
				return nil, err
			}
			return map[string]any{"feedback": created, "recorded": true}, nil
		})
}
