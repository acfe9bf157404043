package console

// Role is a member's role in a team.
type Role string

const (
	// RoleOwner may do everything, including members, renaming, deleting
	// and transferring apps.
	RoleOwner Role = "owner"
	// RoleDeveloper builds with the team's apps: creates them, sees and
	// rotates credentials, manages webhooks and alerts.
	RoleDeveloper Role = "developer"
	// RoleViewer sees apps, usage and health, never a secret.
	RoleViewer Role = "viewer"
)

// Roles lists the roles, most powerful first, for forms and tests.
var Roles = []Role{RoleOwner, RoleDeveloper, RoleViewer}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return r == RoleOwner || r == RoleDeveloper || r == RoleViewer }

// Action is something done in the console that the policy decides.
type Action string

const (
	ActViewTeam          Action = "team.view"
	ActManageMembers     Action = "team.members" // invite, change roles, remove
	ActCreateApp         Action = "app.create"
	ActViewApp           Action = "app.view" // App ID, limits, usage, census, alerts, webhooks list
	ActRevealCredentials Action = "app.credentials.reveal"
	ActRotateCredentials Action = "app.credentials.rotate"
	ActMintToken         Action = "app.token"
	ActManageWebhooks    Action = "app.webhooks"
	ActManageAlerts      Action = "app.alerts"
	ActRequestLimits     Action = "app.limits.request"
	ActRenameApp         Action = "app.rename"
	ActDeleteApp         Action = "app.delete" // schedule and cancel deletion
	ActTransferApp       Action = "app.transfer"
)

// Actions lists every action, for the authorization test matrix.
var Actions = []Action{ActViewTeam, ActManageMembers, ActCreateApp, ActViewApp, ActRevealCredentials,
	ActRotateCredentials, ActMintToken, ActManageWebhooks, ActManageAlerts, ActRequestLimits,
	ActRenameApp, ActDeleteApp, ActTransferApp}

// readOnly are the actions that change and reveal nothing: what a viewer
// and staff may do.
func (a Action) readOnly() bool { return a == ActViewTeam || a == ActViewApp }

// Allowed is the console's one authorization policy: may someone with
// role in the team (role "" for a non-member) do a? Staff, who support
// every customer, may read any team and app, but never change one or see
// its secrets.
func Allowed(role Role, staff bool, a Action) bool {
	switch role {
	case RoleOwner:
		return true
	case RoleDeveloper:
		switch a {
		case ActManageMembers, ActRenameApp, ActDeleteApp, ActTransferApp:
			return false
		}
		return true
	case RoleViewer:
		return a.readOnly()
	}
	return staff && a.readOnly()
}
