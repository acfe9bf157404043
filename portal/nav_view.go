package portal

// Header links for the areas that exist only when their service is wired.

// SandboxEnabled reports whether the sandbox is served.
func (v *view) SandboxEnabled() bool { return v.srv != nil && v.srv.cfg.Sandbox != nil }

// SLAEnabled reports whether the response-time dashboard is served.
func (v *view) SLAEnabled() bool { return v.srv != nil && v.srv.cfg.SLA != nil }

// WebhooksEnabled reports whether the console manages webhooks.
func (v *view) WebhooksEnabled() bool { return v.srv != nil && v.srv.cfg.Webhooks != nil }

// ConsoleEnabled reports whether the developer console is served.
func (v *view) ConsoleEnabled() bool {
	return v.srv != nil && v.srv.cfg.Console != nil && v.srv.cfg.Forum != nil
}

// UsageEnabled reports whether the console shows usage and health.
func (v *view) UsageEnabled() bool { return v.srv != nil && v.srv.cfg.Usage != nil }
