package portal

import (
	"fmt"
	"net/url"
	"time"

	"github.com/switchboard-rtm/switchboard/forum"
)

// This file gives page templates what the forum's header area, badges and
// permission-dependent buttons need. The buttons are only hidden here:
// forum.Store checks every permission again on the server.

// ForumEnabled reports whether the forum is served.
func (v *view) ForumEnabled() bool { return v.srv != nil && v.srv.cfg.Forum != nil }

// SupportEnabled reports whether private support (/support) is served.
func (v *view) SupportEnabled() bool { return v.ForumEnabled() && v.srv.cfg.Support != nil }

// Viewer is the signed-in user, or nil.
func (v *view) Viewer() *forum.User {
	if v.ctx == nil {
		return nil
	}
	return forum.UserFromContext(v.ctx)
}

// UnreadCount is the viewer's number of unread notifications.
func (v *view) UnreadCount() int {
	if !v.ForumEnabled() || v.Viewer() == nil {
		return 0
	}
	n, err := v.srv.cfg.Forum.UnreadCount(v.ctx)
	if err != nil {
		return 0
	}
	return n
}

// DocsTopics lists forum topics that reference the docs page at path
// (language-neutral, without /{lang}: "engine/channels").
func (v *view) DocsTopics(path string) []*forum.Topic {
	if !v.ForumEnabled() {
		return nil
	}
	ts, err := v.srv.cfg.Forum.TopicsForDocsPage(v.ctx, "/docs/"+path, "", 10)
	if err != nil {
		return nil
	}
	return ts
}

// Can reports whether the viewer may do action on a resource owned by
// ownerID (0: no owner). Used to hide buttons only.
func (v *view) Can(action string, ownerID int64) bool {
	return forum.Can(v.Viewer(), forum.Action(action), forum.Resource{OwnerID: ownerID}, time.Now())
}

// CanTopic is Can for an action on a topic.
func (v *view) CanTopic(action string, t *forum.Topic) bool {
	return forum.Can(v.Viewer(), forum.Action(action), t.Resource(), time.Now())
}

// TopicURL is the canonical address of a topic in the page's language.
func (v *view) TopicURL(t *forum.Topic) string { return topicURL(v.Lang, t) }

// CategoryName is a category's name in the page's language.
func (v *view) CategoryName(c *forum.Category) string {
	if c == nil {
		return ""
	}
	return c.Name(v.Lang)
}

func topicURL(lang string, t *forum.Topic) string {
	return fmt.Sprintf("/%s/forum/t/%d-%s", lang, t.ID, url.PathEscape(t.Slug()))
}

// Ago says how long ago t was: "3 hours 5 minutes ago", "3 小时 5 分钟前".
func (v *view) Ago(t time.Time) string {
	now := time.Now()
	if v.srv != nil {
		now = v.srv.cfg.Now()
	}
	return v.T("web.topic.ago", "Age", now.Sub(t))
}

// Now is the current time, for suspension badges.
func (v *view) Now() time.Time { return time.Now() }

// CanSuspend reports whether the viewer may suspend u.
func (v *view) CanSuspend(u *forum.User) bool {
	return forum.Can(v.Viewer(), forum.ActionSuspend, forum.Resource{OwnerID: u.ID, TargetRole: u.Role}, time.Now())
}
