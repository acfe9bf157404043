package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-rtm/switchboard/console"
	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/support"
	"github.com/switchboard-rtm/switchboard/usage"
)

// supportTeams answers support's questions about teams from the console:
// a ticket belongs to a console team, and its members see it.
type supportTeams struct {
	console *console.Service
	users   *forum.Store
}

var _ support.Teams = supportTeams{}

func (t supportTeams) TeamsOf(ctx context.Context, userID int64) ([]support.Team, error) {
	u, err := t.users.FindUser(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("teams of %d: %w", userID, err)
	}
	ts, err := t.console.MemberTeams(ctx, userID, u.Username)
	if err != nil {
		return nil, err
	}
	out := make([]support.Team, len(ts))
	for i, ct := range ts {
		out[i] = support.Team{ID: ct.ID, Name: ct.Name}
	}
	return out, nil
}

func (t supportTeams) IsMember(ctx context.Context, teamID, userID int64) (bool, error) {
	return t.console.IsMember(ctx, teamID, userID)
}

func (t supportTeams) TeamByName(ctx context.Context, name string) (support.Team, error) {
	ct, err := t.console.FindTeam(ctx, name)
	if errors.Is(err, console.ErrNotFound) {
		// A user who has not opened the console yet still has a personal
		// team, named after them.
		u, uerr := t.users.FindUserByUsername(ctx, name)
		if errors.Is(uerr, forum.ErrNotFound) {
			return support.Team{}, fmt.Errorf("team %q: %w", name, support.ErrNotFound)
		}
		if uerr != nil {
			return support.Team{}, fmt.Errorf("team %q: %w", name, uerr)
		}
		ts, terr := t.console.MemberTeams(ctx, u.ID, u.Username)
		if terr != nil {
			return support.Team{}, terr
		}
		for _, ct := range ts {
			if ct.Personal {
				return support.Team{ID: ct.ID, Name: ct.Name}, nil
			}
		}
		return support.Team{}, fmt.Errorf("team %q: %w", name, support.ErrNotFound)
	}
	if err != nil {
		return support.Team{}, err
	}
	return support.Team{ID: ct.ID, Name: ct.Name}, nil
}

// supportApps answers support's questions about a team's console apps and
// their usage: the ticket form's app select, the server-side check that
// the app is the team's, and the attached diagnostics.
type supportApps struct {
	console *console.Service
	usage   *usage.Service
}

var _ support.Apps = supportApps{}

// TeamApps lists the team's apps as the signed-in user sees them in the
// console (support has checked membership already; the console checks it
// again for the same user).
func (a supportApps) TeamApps(ctx context.Context, teamID int64) ([]support.App, error) {
	u := forum.UserFromContext(ctx)
	if u == nil {
		return nil, support.ErrUnauthorized
	}
	cctx := console.NewContext(ctx, console.Actor{UserID: u.ID, Name: u.Name, Email: u.Email, Staff: u.Role == forum.RoleStaff || u.Role == forum.RoleAdmin})
	apps, err := a.console.Apps(cctx, teamID)
	if err != nil {
		return nil, fmt.Errorf("team %d apps: %w", teamID, err)
	}
	out := make([]support.App, len(apps))
	for i, app := range apps {
		out[i] = support.App{ID: app.ID, Name: app.Name}
	}
	return out, nil
}

// Snapshot summarizes the app's stored minutes over [from, to).
func (a supportApps) Snapshot(ctx context.Context, appID string, from, to time.Time) (support.Diagnostics, error) {
	p, n, err := a.usage.Summary(ctx, appID, from, to)
	if err != nil {
		return support.Diagnostics{}, err
	}
	d := support.Diagnostics{AppID: appID, From: from.UTC(), To: to.UTC(), Minutes: n, Connections: p.Conns, PeakConnections: p.Peak,
		NewConnections: p.NewConns, Publishes: p.Publishes, DeliveriesDue: p.Due, Deliveries: p.Delivered, PeerFailed: p.PeerFailed,
		HistoryRequests: p.History, Errors: p.ErrorCount(), ErrorsByCode: p.Errors, Disconnects: p.Disconnects, SDKs: p.SDKs}
	if r, ok := p.DeliveryRate(); ok {
		d.DeliveryRate = &r
	}
	ms := func(q float64) *float64 {
		v, ok := p.Latency.Quantile(q)
		if !ok {
			return nil
		}
		f := float64(v) / float64(time.Millisecond)
		return &f
	}
	d.P50ms, d.P99ms = ms(0.5), ms(0.99)
	return d, nil
}
