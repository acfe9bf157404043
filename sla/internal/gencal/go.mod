module github.com/switchboard-rtm/switchboard/sla/internal/gencal

go 1.26.8

require github.com/6tail/lunar-go v1.4.7
