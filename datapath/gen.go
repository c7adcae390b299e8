package datapath

// The objects are committed so that a plain `go build` needs no clang;
// `make generate` rebuilds them and CI checks they are current. The daemon
// embeds the meter object alone. The benchmarks' objects (the meter plus
// baselines, an all-atomic variant that shows what the plain adds save, and
// one whose CPUs make their flows in disjoint halves of the table)
// are generated as _test files: only test binaries carry them, as does
// the live benchmark's frame generator (livegen), an object of its own.
//go:generate go run github.com/cilium/ebpf/cmd/bpf2go -cc clang -cflags "-O2 -g -Wall -Werror -mcpu=v3 -I/usr/include/x86_64-linux-gnu" -target bpfel -type flow_key4 -type flow_key6 -type flow_val -type meter_stats -type meter_event -type port_cfg -type slot4 -type slot6 -type table_layout -type capture_bits -type selects_bits -type flow_extra -type vlan_port -type port_select -type filter_addr_key -type filter_port_key -type term_action -type term_count -type sampler_cfg -type sampler_state -type select_layout -type overload_count -type overload_layout -type meter_batch -type size_hist meter bpf/meter.c
//go:generate go run github.com/cilium/ebpf/cmd/bpf2go -cc clang -cflags "-O2 -g -Wall -Werror -mcpu=v3 -I/usr/include/x86_64-linux-gnu" -target bpfel -no-global-types -output-suffix _test bench bpf/bench.c
//go:generate go run github.com/cilium/ebpf/cmd/bpf2go -cc clang -cflags "-O2 -g -Wall -Werror -mcpu=v3 -I/usr/include/x86_64-linux-gnu -DFLOWTAP_ATOMIC_ADD" -target bpfel -no-global-types -output-suffix _test benchAtomic bpf/bench.c
//go:generate go run github.com/cilium/ebpf/cmd/bpf2go -cc clang -cflags "-O2 -g -Wall -Werror -mcpu=v3 -I/usr/include/x86_64-linux-gnu -DFLOWTAP_CPU_HALVES" -target bpfel -no-global-types -output-suffix _test benchHalves bpf/bench.c
//go:generate go run github.com/cilium/ebpf/cmd/bpf2go -cc clang -cflags "-O2 -g -Wall -Werror -mcpu=v3 -I/usr/include/x86_64-linux-gnu" -target bpfel -type gen_cfg -type gen_state -output-suffix _test livegen bpf/livegen.c
