package portal

// Header links for the areas that exist only when their service is wired.

// SandboxEnabled reports whether the sandbox is served.
func (v *view) SandboxEnabled() bool { return v.srv != nil && v.srv.cfg.Sandbox != nil }

// SLAEnabled reports whether the response-time dashboard is served.
func (v *view) SLAEnabled() bool { return v.srv != nil && v.srv.cfg.SLA != nil }
