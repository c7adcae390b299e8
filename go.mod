module github.com/flowtap/flowtap

go 1.26.8

require (
	github.com/cilium/ebpf v0.22.0
	github.com/gopacket/gopacket v1.7.7
	github.com/netsampler/goflow2/v2 v2.2.6
	golang.org/x/sys v0.45.0
)

require golang.org/x/net v0.55.0 // indirect
