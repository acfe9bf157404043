package client

// SDKName and Version are what this SDK sends in connect's "sdk" object,
// so operators can see which SDK releases their clients run. Version
// follows semantic versioning: see the docs page "SDK versions and
// deprecations" for what a minor or major release may change.
const (
	SDKName = "switchboard-go"
	Version = "0.2.0"
)
