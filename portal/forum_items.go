package portal

import (
	"html/template"
	"time"

	"github.com/switchboard-rtm/switchboard/forum"
)

// A topic page shows a hundred posts or more, and a template's method
// calls go through reflection: asking the view for each label and
// permission of every post made a signed-in reader's page cost over 10 ms.
// The page therefore gets its posts as items with the viewer's
// permissions and the labels worked out once, here.

// postItem is one post as the viewer sees it.
type postItem struct {
	*forum.Post
	Date, ISO                                                    string
	CanVote, CanAccept, CanUnaccept, CanEdit, CanDelete, CanFlag bool
	// Rendered is the post's HTML; RenderedCopy is the copy shown at the
	// top when it is the accepted answer (forum_post_cache.go).
	Rendered, RenderedCopy template.HTML
}

// postLabels are the strings every post repeats.
type postLabels struct {
	Official, Accepted, Edited, Deleted, Hidden, DeletedMod, HiddenMod string
	Vote, Votes, Accept, Unaccept, Edit, Delete, DeleteConfirm, Flag   string
}

func (v *view) postLabels() *postLabels {
	return &postLabels{
		Official: v.T("web.badge.official"), Accepted: v.T("web.post.accepted"), Edited: v.T("web.post.edited"),
		Deleted: v.T("web.post.deleted"), Hidden: v.T("web.post.hidden"),
		DeletedMod: v.T("web.post.deleted_mod"), HiddenMod: v.T("web.post.hidden_mod"),
		Vote: v.T("web.post.vote"), Votes: v.T("web.post.votes"), Accept: v.T("web.post.accept"), Unaccept: v.T("web.post.unaccept"),
		Edit: v.T("web.post.edit"), Delete: v.T("web.post.delete"), DeleteConfirm: v.T("web.post.delete_confirm"), Flag: v.T("web.post.flag"),
	}
}

// postItems prepares the question, the accepted answer and the replies.
func (v *view) postItems(tv *forum.TopicView, now time.Time) (question, accepted *postItem, replies []*postItem) {
	u := v.Viewer()
	t := tv.Topic
	canAccept := forum.Can(u, forum.ActionAccept, t.Resource(), now)
	item := func(p *forum.Post) *postItem {
		it := &postItem{Post: p, Date: v.Date(p.CreatedAt), ISO: p.CreatedAt.UTC().Format(time.RFC3339)}
		if u != nil {
			owner := forum.Resource{OwnerID: p.AuthorID}
			it.CanVote = forum.Can(u, forum.ActionVote, owner, now)
			it.CanAccept = canAccept && p.Number > 1 && !p.Accepted && !p.Redacted
			it.CanUnaccept = canAccept && p.Accepted
			it.CanEdit = !p.Deleted() && forum.Can(u, forum.ActionEditPost, forum.Resource{OwnerID: p.AuthorID, Locked: t.Locked}, now)
			it.CanDelete = !p.Deleted() && forum.Can(u, forum.ActionDeletePost, owner, now)
			it.CanFlag = !p.Deleted() && forum.Can(u, forum.ActionFlag, owner, now)
		}
		return it
	}
	question = item(tv.Question)
	for _, p := range tv.Replies {
		it := item(p)
		replies = append(replies, it)
		if p.Accepted {
			accepted = it
		}
	}
	return question, accepted, replies
}
