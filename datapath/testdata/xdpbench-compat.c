// SPDX-License-Identifier: GPL-2.0
/*
 * Preloaded into Debian bookworm's xdp-bench (xdp-tools 1.3.1) by the live
 * benchmark, only when it fails to load as it is. Kernel 6.16 removed the
 * xdp_redirect_map and xdp_redirect_map_err tracepoints, and xdp-bench
 * 1.3.1 loads a tracing program for each of them (in every mode, though
 * only the redirect modes attach them), so libbpf refuses its whole object
 * and xdp-bench exits before it attaches anything. xdp-tools 1.5.6 fixed
 * it upstream by deleting those two programs; this does the same at load
 * time: it turns off loading of each tp_btf program whose tracepoint the
 * running kernel's BTF lacks, then loads the object as libbpf would. The
 * XDP program and everything else xdp-bench does are untouched.
 *
 * Built by the benchmark: clang -shared -fPIC -o x.so this.c -lbpf -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/btf.h>

int bpf_object__load(struct bpf_object *obj)
{
	int (*load)(struct bpf_object *) = (int (*)(struct bpf_object *))dlsym(RTLD_NEXT, "bpf_object__load");
	struct btf *vmlinux = btf__load_vmlinux_btf();
	struct bpf_program *p;
	char name[256];

	if (!load)
		return -1;
	if (vmlinux) {
		bpf_object__for_each_program(p, obj) {
			const char *sec = bpf_program__section_name(p);

			if (strncmp(sec, "tp_btf/", 7) != 0)
				continue;
			snprintf(name, sizeof(name), "btf_trace_%s", sec + 7);
			if (btf__find_by_name_kind(vmlinux, name, BTF_KIND_TYPEDEF) >= 0)
				continue;
			fprintf(stderr, "xdpbench-compat: not loading %s: no such tracepoint in this kernel\n", sec);
			bpf_program__set_autoload(p, false);
		}
		btf__free(vmlinux);
	}
	return load(obj);
}
