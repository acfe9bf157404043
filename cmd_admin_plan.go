package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/switchboard-rtm/switchboard/console"
	"github.com/switchboard-rtm/switchboard/forum"
	"github.com/switchboard-rtm/switchboard/sla"
	"github.com/switchboard-rtm/switchboard/support"
)

// runAdminPlan implements "admin plan -team NAME -plan ID": it gives a
// team a support plan in dataDir's database, as the admin page does.
// Without -team it lists the plans.
func runAdminPlan(ctx context.Context, args []string, dataDir string, stdout io.Writer) error {
	const usage = "usage: admin plan -team NAME -plan ID (without -team: list the plans)"
	fs := flag.NewFlagSet("admin plan", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	team := fs.String("team", "", "the team's name, or #ID when several teams share it (a user's personal team is named after them)")
	plan := fs.String("plan", "", "plan ID: community, standard, premium or an admin's own")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 || (*team == "") != (*plan == "") {
		return errors.New(usage)
	}
	e, d, closeEngine, err := openEngine(ctx, Config{DataDir: dataDir}, io.Discard)
	if err != nil {
		return err
	}
	defer closeEngine()
	store, err := forum.Open(ctx, d, forum.Config{})
	if err != nil {
		return err
	}
	defer store.Close()
	reg, err := sla.LoadCalendars(sla.EmbeddedCalendars(), filepath.Join(dataDir, "calendars"))
	if err != nil {
		return err
	}
	sched, err := sla.DefaultSchedule(reg.Calendar(forum.ScheduleRegion))
	if err != nil {
		return err
	}
	cons, err := console.New(ctx, console.Config{DB: d, Engine: e, Users: consoleUsers{store}})
	if err != nil {
		return err
	}
	desk, err := support.Open(ctx, support.Config{DB: d, Teams: supportTeams{console: cons, users: store}, Render: store.RenderPreview,
		Schedule: func() *sla.Schedule { return sched }})
	if err != nil {
		return err
	}
	if *team == "" {
		plans, err := desk.Plans(ctx)
		if err != nil {
			return err
		}
		for _, p := range plans {
			fmt.Fprintf(stdout, "%-12s %-10s tickets=%v urgent=%v\n", p.ID, p.NameEN, p.Tickets, p.Urgent)
		}
		return nil
	}
	t, err := desk.TeamByName(ctx, *team)
	if err != nil {
		return fmt.Errorf("team %q: %w", *team, err)
	}
	if err := desk.AssignPlanSystem(ctx, t.ID, *plan); err != nil {
		return fmt.Errorf("assign plan: %w", err)
	}
	p, err := desk.Plan(ctx, *plan)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "Team %s is now on the %s plan.\n", t.Name, p.NameEN)
	return err
}
